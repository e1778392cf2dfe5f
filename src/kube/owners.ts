import { asObject, asString, asStringMap } from "./fields.js";
import { isTerminating, type KubeObject, type ObjectRef } from "./object.js";
import { readPod } from "./pod-template.js";

/** A controller ownerReference, as an object claims it. */
export interface ControllerRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** What following ownership needs to know of a controller: who it is, its pod template's labels, its own controller. */
export interface OwnerFacts {
  readonly ref: ObjectRef;
  readonly uid: string;
  readonly templateLabels: Readonly<Record<string, string>>;
  readonly controller: ControllerRef | undefined;
  /** Being deleted (metadata.deletionTimestamp set): what it created is being torn down too. */
  readonly deleting: boolean;
}

/** Finds a controller by namespace, kind and name (the input's objects, the cluster's, or a live read). */
export type OwnerLookup = (namespace: string, kind: string, name: string) => OwnerFacts | undefined;

/** A lookup over owners already read (a live read of one object's chain). */
export function lookupAmong(owners: readonly OwnerFacts[]): OwnerLookup {
  return (namespace, kind, name) => owners.find((owner) => owner.ref.namespace === namespace && owner.ref.kind === kind && owner.ref.name === name);
}

/** Which controllers create which kinds: only these links are followed (a Pod owned by a CustomResource is not). */
export const CREATED_BY: Readonly<Record<string, readonly string[]>> = {
  Pod: ["ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"],
  ReplicaSet: ["Deployment"],
  Job: ["CronJob"],
};

/** The identities kube-controller-manager creates Pods, ReplicaSets and Jobs as (with and without per-controller credentials). */
export const CONTROLLER_USERS: readonly string[] = [
  "system:kube-controller-manager",
  ...["replicaset-controller", "daemon-set-controller", "statefulset-controller", "job-controller", "replication-controller", "deployment-controller", "cronjob-controller"].map(
    (name) => `system:serviceaccount:kube-system:${name}`,
  ),
];

/** The kinds that can own what netguard judges. */
export const OWNER_KINDS: readonly string[] = ["ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController", "Deployment", "CronJob"];

/** The controller ownerReference of an object, if it has one. */
export function controllerOf(body: unknown): ControllerRef | undefined {
  const references = asObject(asObject(body)?.["metadata"])?.["ownerReferences"];
  if (!Array.isArray(references)) return undefined;
  for (const reference of references) {
    const ref = asObject(reference);
    if (ref?.["controller"] !== true) continue;
    const apiVersion = asString(ref["apiVersion"]);
    const kind = asString(ref["kind"]);
    const name = asString(ref["name"]);
    const uid = asString(ref["uid"]);
    return apiVersion && kind && name && uid ? { apiVersion, kind, name, uid } : undefined;
  }
  return undefined;
}

/** The facts of a controller object (its pod template's labels read where the kind keeps them). */
export function ownerFacts(object: KubeObject): OwnerFacts {
  return {
    ref: object.ref,
    uid: asString(asObject(object.body["metadata"])?.["uid"]) ?? "",
    templateLabels: readPod(object).pod?.labels ?? {},
    controller: controllerOf(object.body),
    deleting: isTerminating(object),
  };
}

/**
 * The owners an object really has, nearest first (a Pod's ReplicaSet, then its Deployment). An
 * ownerReference is anyone's to write, so an owner counts only when it exists with the uid the
 * reference names and every label of its pod template is on the child (a controller always stamps
 * its template's labels on what it creates, pod-template-hash included). The first link that fails
 * ends the chain.
 */
export function verifiedOwners(object: KubeObject, lookup: OwnerLookup): ObjectRef[] {
  const chain: ObjectRef[] = [];
  const namespace = object.ref.namespace ?? "";
  let kind = object.ref.kind;
  let claimed = controllerOf(object.body);
  let childLabels = kind === "Pod" ? asStringMap(asObject(object.body["metadata"])?.["labels"]) : (readPod(object).pod?.labels ?? {});
  while (claimed !== undefined && chain.length < 3) {
    if (!(CREATED_BY[kind] ?? []).includes(claimed.kind)) break;
    const owner = lookup(namespace, claimed.kind, claimed.name);
    if (owner === undefined || owner.uid !== claimed.uid || !includes(childLabels, owner.templateLabels)) break;
    chain.push(owner.ref);
    kind = owner.ref.kind;
    claimed = owner.controller;
    childLabels = owner.templateLabels;
  }
  return chain;
}

function includes(labels: Readonly<Record<string, string>>, required: Readonly<Record<string, string>>): boolean {
  for (const key in required) if (labels[key] !== required[key]) return false;
  return true;
}
