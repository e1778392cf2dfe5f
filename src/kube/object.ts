import { asObject, asString, asStringMap, isObject, type JsonObject } from "./fields.js";

/** Identifies an object in every output: findings, warnings, reports. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** metadata.uid when the object has one (objects from a cluster): tells apart two of the same name over time. */
  readonly uid?: string;
}

/** The file name of input read from stdin, unless check is given --stdin-name. */
export const STDIN = "<stdin>";

/** Where an object came from in a manifest file (check only). */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  /** The line of one of the object's fields, so findings point at the offending line. */
  readonly fieldLine?: (field: string) => number;
}

/** A Kubernetes object whose envelope (apiVersion, kind, metadata) has been checked. */
export interface KubeObject {
  readonly ref: ObjectRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly body: JsonObject;
  readonly source?: SourceRef;
}

/** Result of reading anything untrusted: a value, or an error as data. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Kinds that live outside namespaces; they never get the default namespace. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "ClusterIssuer",
  "ClusterPolicyReport",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

/** Options for reading an object: the namespace kubectl would give an object that names none. */
export interface ObjectDefaults {
  readonly namespace: string | undefined;
  readonly source?: SourceRef;
}

/** Checks the envelope of a decoded document and wraps it; an object without apiVersion/kind is an error. */
export function toKubeObject(value: unknown, defaults: ObjectDefaults): Parsed<KubeObject> {
  if (!isObject(value)) return { ok: false, error: "document is not a mapping, so it is not a Kubernetes object" };
  const apiVersion = asString(value["apiVersion"]);
  const kind = asString(value["kind"]);
  if (apiVersion === undefined || apiVersion === "" || kind === undefined || kind === "") {
    const missing = [apiVersion ? undefined : "apiVersion", kind ? undefined : "kind"].filter(Boolean).join(" and ");
    return { ok: false, error: `not a Kubernetes object: ${missing} missing` };
  }
  const metadata = asObject(value["metadata"]) ?? {};
  const name = asString(metadata["name"]) ?? generatedName(metadata);
  const declared = asString(metadata["namespace"]);
  const namespace = CLUSTER_SCOPED.has(kind) ? undefined : declared || defaults.namespace;
  const uid = asString(metadata["uid"]);
  return {
    ok: true,
    value: {
      ref: { apiVersion, kind, namespace, name, ...(uid ? { uid } : {}) },
      labels: asStringMap(metadata["labels"]),
      annotations: asStringMap(metadata["annotations"]),
      body: value,
      ...(defaults.source ? { source: defaults.source } : {}),
    },
  };
}

/** On CREATE with generateName the API server has not named the object yet. */
function generatedName(metadata: JsonObject): string {
  const prefix = asString(metadata["generateName"]);
  return prefix ? `${prefix}<generated>` : "";
}

/** "Deployment monitoring/grafana", the way people name an object in prose. */
export function describeRef(ref: ObjectRef): string {
  const name = ref.name || "<unnamed>";
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${name}` : `${ref.kind} ${name}`;
}

/** Whether an object is being deleted: metadata.deletionTimestamp set (a string on the wire, a Date from client-node's typed lists). */
export function isTerminating(object: { readonly body: JsonObject }): boolean {
  const stamp = asObject(object.body["metadata"])?.["deletionTimestamp"];
  return stamp !== undefined && stamp !== null && stamp !== "";
}
