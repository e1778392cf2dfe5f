import { asObject, asString, isObject } from "../kube/fields.js";
import type { Parsed } from "../kube/object.js";

/** The AdmissionReview versions the API server may send; the answer uses the same one. */
export type ReviewVersion = "admission.k8s.io/v1" | "admission.k8s.io/v1beta1";

/** The operations of an AdmissionRequest. */
export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** The fields of an AdmissionRequest netguard reads (client-node has no AdmissionReview model). */
export interface AdmissionRequest {
  readonly apiVersion: ReviewVersion;
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly subResource: string;
  readonly name: string;
  readonly namespace: string;
  readonly operation: Operation;
  readonly username: string;
  readonly object: unknown;
  readonly oldObject: unknown;
  readonly dryRun: boolean;
}

const VERSIONS: readonly ReviewVersion[] = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];
const OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

/** Checks a decoded request body; the error says which field is wrong, for a 400 answer. */
export function parseAdmissionReview(body: unknown): Parsed<AdmissionRequest> {
  if (!isObject(body)) return { ok: false, error: "body must be a JSON object (an AdmissionReview)" };
  const apiVersion = VERSIONS.find((version) => version === body["apiVersion"]);
  if (apiVersion === undefined) {
    return { ok: false, error: `apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, not ${JSON.stringify(body["apiVersion"] ?? null)}` };
  }
  if (body["kind"] !== "AdmissionReview") return { ok: false, error: `kind must be AdmissionReview, not ${JSON.stringify(body["kind"] ?? null)}` };
  const request = asObject(body["request"]);
  if (request === undefined) return { ok: false, error: "request is missing or not an object" };
  const uid = asString(request["uid"]);
  if (uid === undefined || uid === "") return { ok: false, error: "request.uid is missing: the response must echo it" };
  const operation = OPERATIONS.find((op) => op === request["operation"]);
  if (operation === undefined) return { ok: false, error: `request.operation must be one of ${OPERATIONS.join(", ")}` };
  const kind = asObject(request["kind"]);
  if (kind === undefined || typeof kind["kind"] !== "string") return { ok: false, error: "request.kind must be {group, version, kind}" };
  const userInfo = asObject(request["userInfo"]) ?? {};
  return {
    ok: true,
    value: {
      apiVersion,
      uid,
      kind: { group: asString(kind["group"]) ?? "", version: asString(kind["version"]) ?? "", kind: kind["kind"] },
      subResource: asString(request["subResource"]) ?? "",
      name: asString(request["name"]) ?? "",
      namespace: asString(request["namespace"]) ?? "",
      operation,
      username: asString(userInfo["username"]) ?? "",
      object: request["object"] ?? null,
      oldObject: request["oldObject"] ?? null,
      dryRun: request["dryRun"] === true,
    },
  };
}

/** The uid of a body that failed to parse, if it has one, for error logs. */
export function uidOf(body: unknown): string {
  return asString(asObject(asObject(body)?.["request"])?.["uid"]) ?? "";
}
