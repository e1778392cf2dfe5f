import type { Logger } from "pino";
import type { PolicyLookup } from "../engine/types.js";
import { asObject, asStringMap } from "../kube/fields.js";
import { controllerOf } from "../kube/owners.js";
import { coversForIngress } from "../kube/network-policy.js";

/** A workload controller one of whose Pods netguard denied for ingress coverage alone. */
export interface DeniedOwner {
  readonly namespace: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  /** The denied Pod's labels: what a new NetworkPolicy has to select. */
  readonly labels: Readonly<Record<string, string>>;
}

/** What the retry needs from the outside: the current coverage, a way to touch an owner, a clock. */
export interface OwnerRetryDeps {
  readonly lookup: (namespace: string) => PolicyLookup;
  /** Writes the annotation on the owner (a metadata-only merge patch). */
  readonly touch: (owner: DeniedOwner, annotation: Readonly<Record<string, string>>) => Promise<void>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onResult?: (result: "touched" | "failed") => void;
  readonly limit?: number;
  readonly ttlMs?: number;
}

/** Remembers controllers whose Pods were denied for coverage, and wakes them when a policy now covers them. */
export interface OwnerRetry {
  readonly remember: (owner: DeniedOwner) => void;
  /** A NetworkPolicy of this namespace was added or changed. */
  readonly policiesChanged: (namespace: string) => void;
  readonly size: () => number;
}

/** The annotation written on a woken owner; its value is the time, so every write is a change. */
export const RETRY_ANNOTATION = "netguard.io/coverage-changed-at";

/** Controllers that create Pods and retry a denied create with backoff; the API group/version of each. */
const CONTROLLERS: Readonly<Record<string, string>> = {
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  ReplicationController: "v1",
};

/**
 * The ReplicaSet (and StatefulSet, DaemonSet, Job) controllers retry a denied Pod with exponential
 * backoff (5 ms doubling to 1000 s) and nothing wakes them when a NetworkPolicy appears: a policy
 * applied T seconds after its Deployment left the app without Pods for about another T seconds
 * (docs/adr/0002, measured on a real control plane). Any update of the owner enqueues it at once, so
 * when a policy now covers a remembered owner's Pods, netguard writes one annotation on the owner.
 * Bounded: at most `limit` owners (the oldest forgotten first), each for `ttlMs` (the backoff's cap).
 */
export function createOwnerRetry(deps: OwnerRetryDeps): OwnerRetry {
  const limit = deps.limit ?? 1000;
  const ttlMs = deps.ttlMs ?? 1000 * 1000;
  const owners = new Map<string, { owner: DeniedOwner; at: number }>();
  const keyOf = (owner: DeniedOwner): string => `${owner.namespace}\u0000${owner.kind}\u0000${owner.name}`;
  return {
    remember: (owner) => {
      const key = keyOf(owner);
      owners.delete(key);
      owners.set(key, { owner, at: deps.now() });
      for (const oldest of owners.keys()) {
        if (owners.size <= limit) break;
        owners.delete(oldest);
      }
    },
    policiesChanged: (namespace) => {
      const now = deps.now();
      for (const [key, entry] of owners) {
        if (now - entry.at > ttlMs) {
          owners.delete(key);
          continue;
        }
        if (entry.owner.namespace !== namespace) continue;
        const lookup = deps.lookup(namespace);
        if (!lookup.verified || !coversForIngress(lookup.policies, entry.owner.labels)) continue;
        owners.delete(key);
        const { owner } = entry;
        deps.touch(owner, { [RETRY_ANNOTATION]: new Date(now).toISOString() }).then(
          () => {
            deps.onResult?.("touched");
            deps.logger.info({ namespace, kind: owner.kind, name: owner.name }, "a NetworkPolicy now covers a denied controller's Pods: woke the controller");
          },
          (error: unknown) => {
            deps.onResult?.("failed");
            deps.logger.warn({ err: error, namespace, kind: owner.kind, name: owner.name }, "could not wake a controller whose Pods a NetworkPolicy now covers; it retries on its own backoff");
          },
        );
      }
    },
    size: () => owners.size,
  };
}

/** The controller that created a Pod, from its ownerReferences, when it is one that retries Pod creation. */
export function podController(pod: unknown, namespace: string): DeniedOwner | undefined {
  const controller = controllerOf(pod);
  if (controller === undefined || CONTROLLERS[controller.kind] !== controller.apiVersion) return undefined;
  return { namespace, ...controller, labels: asStringMap(asObject(asObject(pod)?.["metadata"])?.["labels"]) };
}
