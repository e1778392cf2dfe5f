import type { KubeObject } from "../kube/object.js";
import { controllerOf } from "../kube/owners.js";

/** Kinds a controller creates from a template: reported at their owner when the owner is audited too. */
const OWNED_KINDS = new Set(["Pod", "ReplicaSet", "Job"]);

/**
 * Whether an object is reported at its controller instead (a Deployment's ReplicaSet, a ReplicaSet's
 * Pods): its controller ownerReference names a controller already listed, by kind and uid.
 */
export function reportedAtOwner(object: KubeObject, seen: (kind: string, uid: string) => boolean): boolean {
  if (!OWNED_KINDS.has(object.ref.kind)) return false;
  const controller = controllerOf(object.body);
  return controller !== undefined && seen(controller.kind, controller.uid);
}
