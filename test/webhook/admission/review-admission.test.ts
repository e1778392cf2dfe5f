import { describe, expect, it } from "vitest";
import { inventoryOf } from "../../../src/engine/inventory.js";
import { readNetworkPolicy } from "../../../src/kube/network-policy.js";
import type { Policy } from "../../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../../src/rules/index.js";
import { parseAdmissionReview } from "../../../src/webhook/admission/admission-review.js";
import { MAX_FINDINGS_PER_REVIEW_OBJECT, reviewAdmission } from "../../../src/webhook/admission/review-admission.js";
import { container, deployment, kube, networkPolicy, pod, podSpec, policyWith, service } from "../../builders.js";
import { admissionReview } from "../../support/reviews.js";

const coverAll = inventoryOf([readNetworkPolicy(kube(networkPolicy("all", { podSelector: {} })), "default")]);
const review = (body: Record<string, unknown>, policy: Policy = policyWith({})) => {
  const parsed = parseAdmissionReview(body);
  if (!parsed.ok) throw new Error(parsed.error);
  return reviewAdmission(parsed.value, { rules: BUILTIN_RULES, policy, inventory: coverAll, today: "2026-11-24" });
};

const hostSpec = podSpec({ hostNetwork: true });
const withTemplate = (apiVersion: string, kind: string, wrap: (t: unknown) => Record<string, unknown>, spec = hostSpec) => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "default" },
  ...wrap({ metadata: { labels: { app: "x" } }, spec }),
});
const KINDS: [string, (spec?: Record<string, unknown>) => Record<string, unknown>][] = [
  ["Pod", (spec = hostSpec) => pod("x", spec)],
  ["Deployment", (spec = hostSpec) => deployment("x", spec)],
  ["ReplicaSet", (spec) => withTemplate("apps/v1", "ReplicaSet", (t) => ({ spec: { template: t } }), spec)],
  ["StatefulSet", (spec) => withTemplate("apps/v1", "StatefulSet", (t) => ({ spec: { template: t } }), spec)],
  ["DaemonSet", (spec) => withTemplate("apps/v1", "DaemonSet", (t) => ({ spec: { template: t } }), spec)],
  ["Job", (spec) => withTemplate("batch/v1", "Job", (t) => ({ spec: { template: t } }), spec)],
  ["CronJob", (spec) => withTemplate("batch/v1", "CronJob", (t) => ({ spec: { jobTemplate: { spec: { template: t } } } }), spec)],
  ["ReplicationController", (spec) => withTemplate("v1", "ReplicationController", (t) => ({ spec: { template: t } }), spec)],
  ["PodTemplate", (spec) => withTemplate("v1", "PodTemplate", (t) => ({ template: t }), spec)],
];

describe("reviewAdmission per kind and operation", () => {
  describe.each(KINDS)("%s", (_kind, make) => {
    it("CREATE with hostNetwork is denied with 403", () => {
      const outcome = review(admissionReview(make()));
      expect(outcome.decision).toBe("deny");
      expect(outcome.response.status).toEqual({ code: 403, reason: "Forbidden", message: expect.stringContaining("[host-network]") });
    });

    it("CREATE under warn is allowed with a warning", () => {
      const outcome = review(admissionReview(make()), policyWith({ "host-network": { action: "warn" } }));
      expect(outcome.response).toEqual({ uid: expect.any(String), allowed: true, warnings: [expect.stringMatching(/^\[host-network\] /)] });
    });

    it("CREATE under audit is allowed with an audit annotation", () => {
      const outcome = review(admissionReview(make()), policyWith({ "host-network": { action: "audit" } }));
      expect(outcome.response).toEqual({ uid: expect.any(String), allowed: true, auditAnnotations: { "host-network": expect.stringContaining("hostNetwork=true") } });
    });

    it("UPDATE that keeps an existing violation is allowed with a warning", () => {
      const outcome = review(admissionReview(make(), { operation: "UPDATE", oldObject: make() }));
      expect(outcome.decision).toBe("warn");
      expect(outcome.response.warnings?.[0]).toMatch(/^already present before this update, not denied: \[host-network\]/);
    });

    it("UPDATE that introduces a violation is denied", () => {
      const outcome = review(admissionReview(make(), { operation: "UPDATE", oldObject: make(podSpec()) }));
      expect(outcome.decision).toBe("deny");
    });

    it("DELETE is allowed", () => {
      expect(review(admissionReview(null, { operation: "DELETE", oldObject: make() })).response).toEqual({ uid: expect.any(String), allowed: true });
    });

    it("dry-run is judged exactly like a real request", () => {
      const real = review(admissionReview(make()));
      const dry = review(admissionReview(make(), { dryRun: true }));
      expect(dry.response).toEqual(real.response);
    });
  });

  it.each([
    ["Service", service("dns", [{ port: 53, protocol: "UDP" }]), "spec.ports[0].protocol=UDP"],
    ["NetworkPolicy", networkPolicy("np", { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }), "spec.ingress[0].ports[0].protocol=UDP"],
  ])("denies a UDP %s port on CREATE, warns on an unchanged UPDATE, allows DELETE", (_kind, manifest, field) => {
    expect(review(admissionReview(manifest)).response.status?.message).toContain(field);
    expect(review(admissionReview(manifest, { operation: "UPDATE", oldObject: manifest })).decision).toBe("warn");
    expect(review(admissionReview(null, { operation: "DELETE", oldObject: manifest })).decision).toBe("allow");
  });

  it("allows objects without pod specs or ports with no findings", () => {
    const outcome = review(admissionReview({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: {} }));
    expect(outcome.response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it("says which field it could not read instead of passing over it", () => {
    const outcome = review(admissionReview(pod("p", podSpec({ hostNetwork: "yes" }))));
    expect(outcome.response).toEqual({
      uid: expect.any(String),
      allowed: true,
      warnings: ['netguard could not read Pod default/p spec.hostNetwork: must be true or false, not "yes"'],
    });
  });

  it("names containers and ports in the denial, like Pod Security Admission", () => {
    const manifest = pod("web", podSpec({}, [container("proxy", [{ containerPort: 8080, hostPort: 80 }])]));
    expect(review(admissionReview(manifest)).response.status?.message).toBe(
      'Pod default/web violates netguard policy: [host-port] spec.containers[0].ports[0].hostPort=80: container "proxy" uses hostPort 80 ' +
        "(fix: Remove hostPort from the container port and reach the pod through a Service (NodePort or LoadBalancer if it must be reachable from outside).)",
    );
  });

  it("evaluates pods/ephemeralcontainers and skips pods/status", () => {
    const before = pod("p", podSpec());
    const after = pod("p", podSpec({ ephemeralContainers: [container("debug", [{ containerPort: 1, hostPort: 1 }])] }));
    expect(review(admissionReview(after, { operation: "UPDATE", oldObject: before, subResource: "ephemeralcontainers" })).decision).toBe("deny");
    expect(review(admissionReview(after, { operation: "UPDATE", oldObject: before, subResource: "status" })).decision).toBe("allow");
  });

  it("ingress-policy denies a Pod but only warns on a Deployment by default", () => {
    const parsed = (body: Record<string, unknown>) => {
      const p = parseAdmissionReview(body);
      if (!p.ok) throw new Error(p.error);
      return reviewAdmission(p.value, { rules: BUILTIN_RULES, policy: policyWith({}), inventory: inventoryOf([]), today: "2026-11-24" });
    };
    expect(parsed(admissionReview(pod("p"))).decision).toBe("deny");
    expect(parsed(admissionReview(deployment("d"))).decision).toBe("warn");
  });
});

describe("reviews past the per-object findings limit", () => {
  const limit = MAX_FINDINGS_PER_REVIEW_OBJECT;
  const udpPod = (ports: number) => pod("udp", podSpec({}, [container("c", Array.from({ length: ports }, (_, p) => ({ containerPort: p + 1, protocol: "UDP" })))]));
  const statusOf = (outcome: ReturnType<typeof review>) => outcome.response.status?.message ?? "";

  it("keeps the first findings and still denies for every one, counting the rest", () => {
    const outcome = review(admissionReview(udpPod(limit + 500)));
    expect(outcome.findings).toHaveLength(limit);
    expect(outcome.decision).toBe("deny");
    const shown = (statusOf(outcome).match(/ uses UDP/g) ?? []).length;
    expect(statusOf(outcome).endsWith(`; and ${(limit + 500 - shown).toLocaleString("en-US")} more (tcp-only: ${(limit + 500 - shown).toLocaleString("en-US")}); netguard check or audit lists every finding`)).toBe(true);
  });

  it("on UPDATE, violations past the limit that the old object had too are not new: allowed, and said", () => {
    const before = udpPod(limit + 500);
    const outcome = review(admissionReview({ ...before, metadata: { ...(before["metadata"] as object), labels: { app: "udp", touched: "yes" } } }, { operation: "UPDATE", oldObject: before }));
    expect(outcome.decision).toBe("warn");
    expect(outcome.response.allowed).toBe(true);
    // The first 1,000 (already present) fill the warning budget; the closing line counts the rest, the 500 past the limit included.
    expect(outcome.response.warnings?.at(-1)).toMatch(/^netguard: \d+ more warnings not shown \(warning size limit\)/);
  });

  it("on UPDATE, a new violation past the limit still denies", () => {
    const before = udpPod(limit + 500);
    const outcome = review(admissionReview(udpPod(limit + 501), { operation: "UPDATE", oldObject: before }));
    expect(outcome.decision).toBe("deny");
    expect(statusOf(outcome)).toBe("Pod default/udp violates netguard policy: 1 finding past what one review lists (tcp-only: 1); netguard check or audit lists every finding");
  });

  it("warn findings past the limit are counted in a closing warning line", () => {
    const outcome = review(admissionReview(udpPod(limit + 10)), policyWith({ "tcp-only": { action: "warn" } }));
    expect(outcome.decision).toBe("warn");
    expect(outcome.response.warnings?.at(-1)).toMatch(/^netguard: \d+ more warnings not shown \(warning size limit\)/);
    // Within the budget, the count line itself is shown.
    const few = review(admissionReview(udpPod(limit + 10)), policyWith({ "tcp-only": { action: "warn" }, "ingress-policy": { action: "off" } }));
    expect(few.findings.filter((f) => f.action === "warn")).toHaveLength(limit);
  });
});

describe("parseAdmissionReview", () => {
  it.each([
    ["not an object", [], "body must be a JSON object (an AdmissionReview)"],
    ["wrong apiVersion", { apiVersion: "admission.k8s.io/v2", kind: "AdmissionReview", request: {} }, 'apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, not "admission.k8s.io/v2"'],
    ["wrong kind", { apiVersion: "admission.k8s.io/v1", kind: "Review" }, 'kind must be AdmissionReview, not "Review"'],
    ["no request", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }, "request is missing or not an object"],
    ["no uid", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE" } }, "request.uid is missing: the response must echo it"],
    ["bad operation", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", operation: "PATCH" } }, "request.operation must be one of CREATE, UPDATE, DELETE, CONNECT"],
    ["a CREATE without an object", { ...admissionReview(pod("p")), request: { ...(admissionReview(pod("p")).request as object), object: null } }, "request.object is missing"],
    ["a CREATE whose object has no kind", { ...admissionReview(pod("p")), request: { ...(admissionReview(pod("p")).request as object), object: { apiVersion: "v1", metadata: { name: "p" } } } }, "request.object: not a Kubernetes object: kind missing"],
    ["an UPDATE without the old object", admissionReview(pod("p"), { operation: "UPDATE" }), "request.oldObject is missing"],
  ])("rejects %s", (_name, body, error) => {
    expect(parseAdmissionReview(body)).toEqual({ ok: false, error });
  });
});
