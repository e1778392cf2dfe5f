import { asObject, asString, isObject } from "../../kube/fields.js";
import { toKubeObject, type KubeObject, type Parsed } from "../../kube/object.js";

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
  /** The object under review: always present for CREATE and UPDATE (CONNECT's options are not kept). */
  readonly object: KubeObject | undefined;
  /** The stored object: present for UPDATE (and DELETE). */
  readonly oldObject: KubeObject | undefined;
  readonly dryRun: boolean;
}

const OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

function isOperation(value: unknown): value is Operation {
  return typeof value === "string" && (OPERATIONS as readonly string[]).includes(value);
}

/** Checks a decoded request body; the error says which field is wrong, for a 400 answer. */
export function parseAdmissionReview(body: unknown): Parsed<AdmissionRequest> {
  if (!isObject(body)) return { ok: false, error: "body must be a JSON object (an AdmissionReview)" };
  const declaredVersion = body["apiVersion"];
  const apiVersion = declaredVersion === "admission.k8s.io/v1" || declaredVersion === "admission.k8s.io/v1beta1" ? declaredVersion : undefined;
  if (apiVersion === undefined) {
    return { ok: false, error: `apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, not ${JSON.stringify(body["apiVersion"] ?? null)}` };
  }
  if (body["kind"] !== "AdmissionReview") return { ok: false, error: `kind must be AdmissionReview, not ${JSON.stringify(body["kind"] ?? null)}` };
  const request = asObject(body["request"]);
  if (request === undefined) return { ok: false, error: "request is missing or not an object" };
  const uid = asString(request["uid"]);
  if (uid === undefined || uid === "") return { ok: false, error: "request.uid is missing: the response must echo it" };
  const operation = request["operation"];
  if (!isOperation(operation)) return { ok: false, error: `request.operation must be one of ${OPERATIONS.join(", ")}` };
  const kind = asObject(request["kind"]);
  if (kind === undefined || typeof kind["kind"] !== "string") return { ok: false, error: "request.kind must be {group, version, kind}" };
  const userInfo = asObject(request["userInfo"]) ?? {};
  const namespace = asString(request["namespace"]) ?? "";
  // CREATE and UPDATE always carry the new object, UPDATE the old one too: without them nothing can be judged.
  const object = readObject(request["object"], "request.object", namespace, operation === "CREATE" || operation === "UPDATE");
  if (!object.ok) return object;
  const oldObject = readObject(request["oldObject"], "request.oldObject", namespace, operation === "UPDATE");
  if (!oldObject.ok) return oldObject;
  return {
    ok: true,
    value: {
      apiVersion,
      uid,
      kind: { group: asString(kind["group"]) ?? "", version: asString(kind["version"]) ?? "", kind: kind["kind"] },
      subResource: asString(request["subResource"]) ?? "",
      name: asString(request["name"]) ?? "",
      namespace,
      operation,
      username: asString(userInfo["username"]) ?? "",
      object: operation === "CONNECT" ? undefined : object.value,
      oldObject: oldObject.value,
      dryRun: request["dryRun"] === true,
    },
  };
}

/** Reads an embedded object; a required one that is absent or not a Kubernetes object is an error naming the field. */
function readObject(value: unknown, field: string, namespace: string, required: boolean): Parsed<KubeObject | undefined> {
  if (value === undefined || value === null) return required ? { ok: false, error: `${field} is missing` } : { ok: true, value: undefined };
  const object = toKubeObject(value, { namespace: namespace || undefined });
  if (object.ok) return object;
  return required ? { ok: false, error: `${field}: ${object.error}` } : { ok: true, value: undefined };
}

/** The uid of a body that failed to parse, if it has one, for error logs. */
export function uidOf(body: unknown): string {
  return asString(asObject(asObject(body)?.["request"])?.["uid"]) ?? "";
}
