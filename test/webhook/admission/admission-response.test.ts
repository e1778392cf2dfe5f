import { describe, expect, it } from "vitest";
import { allowed, denied, errored, toReview } from "../../../src/webhook/admission/admission-response.js";

/** The exact bytes on the wire: the API server rejects a validating response with patch or patchType. */
describe("admission responses on the wire", () => {
  it("allowed, with nothing else", () => {
    expect(JSON.stringify(toReview("admission.k8s.io/v1", allowed("u1")))).toBe('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}');
  });

  it("allowed with warnings and audit annotations", () => {
    expect(JSON.stringify(toReview("admission.k8s.io/v1", allowed("u1", ["w"], { "tcp-only": "x" })))).toBe(
      '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"warnings":["w"],"auditAnnotations":{"tcp-only":"x"}}}',
    );
  });

  it("denied: 403 Forbidden with the message", () => {
    expect(JSON.stringify(toReview("admission.k8s.io/v1beta1", denied("u2", "no")))).toBe(
      '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u2","allowed":false,"status":{"code":403,"reason":"Forbidden","message":"no"}}}',
    );
  });

  it("errored: 500 with a generic message", () => {
    expect(JSON.stringify(errored("u3"))).toBe(
      '{"uid":"u3","allowed":false,"status":{"code":500,"reason":"InternalError","message":"netguard: internal error while reviewing this request; see the webhook logs"}}',
    );
  });

  it("never carries patch or patchType", () => {
    for (const response of [allowed("a", ["w"]), denied("b", "m", ["w"]), errored("c")]) {
      expect(Object.keys(response)).not.toContain("patch");
      expect(Object.keys(response)).not.toContain("patchType");
    }
  });
});
