import { asObject, asString } from "../kube/fields.js";
import type { KubeObject } from "../kube/object.js";

/** Kinds a controller creates from a template: reported at their owner when the owner is audited too. */
const OWNED_KINDS = new Set(["Pod", "ReplicaSet", "Job"]);

/** The uid of an object's controller owner, if it has one. */
export function controllerUid(object: KubeObject): string | undefined {
  const metadata = asObject(object.body["metadata"]);
  const owners = metadata?.["ownerReferences"];
  if (!Array.isArray(owners)) return undefined;
  for (const owner of owners) {
    const ref = asObject(owner);
    if (ref?.["controller"] === true) return asString(ref["uid"]);
  }
  return undefined;
}

/** Keeps each workload once, at its top-level owner: Pods, ReplicaSets and Jobs whose controller is in the set are dropped. */
export function topLevelObjects(objects: readonly KubeObject[]): { kept: KubeObject[]; skipped: number } {
  const uids = new Set<string>();
  for (const object of objects) {
    const uid = asString(asObject(object.body["metadata"])?.["uid"]);
    if (uid) uids.add(uid);
  }
  const kept: KubeObject[] = [];
  let skipped = 0;
  for (const object of objects) {
    const owner = OWNED_KINDS.has(object.ref.kind) ? controllerUid(object) : undefined;
    if (owner !== undefined && uids.has(owner)) skipped += 1;
    else kept.push(object);
  }
  return { kept, skipped };
}
