import type { OwnerChain, OwnerReader } from "../../cluster/owner-reader.js";
import type { PodLister } from "../../cluster/pod-metadata-lister.js";
import { changesCoverage, podsLosingCoverage, type CoverageChange } from "../../engine/coverage-loss.js";
import { findExemption } from "../../engine/exemptions.js";
import { overrideFor } from "../../engine/overrides.js";
import type { Action, Inventory } from "../../engine/types.js";
import { isNetworkPolicy, readNetworkPolicy } from "../../kube/network-policy.js";
import { describeRef, type KubeObject, type ObjectRef } from "../../kube/object.js";
import { controllerOf, lookupAmong, verifiedOwners } from "../../kube/owners.js";
import type { Policy } from "../../policy/policy.js";
import type { AdmissionRequest } from "./admission-review.js";

/** What the guard reads: the policy, the NetworkPolicy cache, and live Pods and owners. */
export interface GuardDeps {
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly listPods: PodLister;
  readonly readOwners: OwnerReader;
  readonly today: string;
}

/** Pods that lose ingress isolation, grouped by their top-level owner for the message. */
export interface StrandedGroup {
  readonly owner: ObjectRef | undefined;
  readonly pods: readonly KubeObject[];
}

/** The guard's answer for one NetworkPolicy delete or edit. */
export type GuardVerdict =
  | { readonly kind: "kept" }
  | { readonly kind: "stranded"; readonly action: Action; readonly policy: ObjectRef; readonly deleting: boolean; readonly groups: readonly StrandedGroup[]; readonly count: number }
  | { readonly kind: "unverified"; readonly action: Action | "allow"; readonly policy: ObjectRef; readonly deleting: boolean; readonly reason: string };

/**
 * The namespace controller (kubectl delete namespace) and the garbage collector (an owner already
 * gone) delete as part of a teardown: never held up. Without per-controller credentials both are
 * kube-controller-manager itself.
 */
const TEARDOWN_USERS: ReadonlySet<string> = new Set([
  "system:serviceaccount:kube-system:namespace-controller",
  "system:serviceaccount:kube-system:generic-garbage-collector",
  "system:kube-controller-manager",
]);

/** Distinct controller chains read per review at most; Pods beyond them count as they are. */
const MAX_CHAINS = 20;

/** The change a request makes to a NetworkPolicy's coverage, if it is one the guard judges. */
export function guardedChange(request: AdmissionRequest, policy: Policy): CoverageChange | undefined {
  if (request.subResource !== "" || TEARDOWN_USERS.has(request.username)) return undefined;
  const before = request.oldObject;
  if (before === undefined || !isNetworkPolicy(before)) return undefined;
  if (policy.rules["ingress-policy"].guard === "off") return undefined;
  const namespace = before.ref.namespace ?? request.namespace;
  let change: CoverageChange;
  if (request.operation === "DELETE") change = { before: readNetworkPolicy(before, namespace), after: undefined };
  else if (request.operation === "UPDATE" && request.object !== undefined && isNetworkPolicy(request.object)) change = { before: readNetworkPolicy(before, namespace), after: readNetworkPolicy(request.object, namespace) };
  else return undefined;
  return changesCoverage(change) ? change : undefined;
}

/** Works out which existing Pods the change strands, with ingress-policy's semantics, exemptions and teardown rules. */
export async function guardNetworkPolicy(change: CoverageChange, policyRef: ObjectRef, deps: GuardDeps): Promise<GuardVerdict> {
  const { policy, inventory } = deps;
  const namespace = change.before.namespace;
  const settings = policy.rules["ingress-policy"];
  const action = settings.guard;
  if (action === "off") return { kind: "kept" };
  // Where ingress-policy itself is off (for the namespace, by an override), there is no coverage to keep.
  const ruleAction = overrideFor(policy.overrides, namespace, inventory.namespaceLabels).applied?.rules["ingress-policy"] ?? settings.action;
  if (ruleAction === "off") return { kind: "kept" };
  const unverified = (reason: string): GuardVerdict => ({ kind: "unverified", action: settings.whenUnverified === "allow" ? "allow" : action, policy: policyRef, deleting: change.after === undefined, reason });
  const others = inventory.networkPolicies(namespace);
  if (!others.verified) return unverified(others.reason);
  const listing = await deps.listPods(namespace);
  if (!listing.ok) return unverified(listing.reason);
  const losing = podsLosingCoverage(change, others.policies, listing.pods);
  if (losing.length === 0) return { kind: "kept" };
  const chains = await readChains(losing, namespace, deps.readOwners);
  const groups = new Map<string, { owner: ObjectRef | undefined; pods: KubeObject[] }>();
  let count = 0;
  for (const pod of losing) {
    const chain = chains.get(controllerOf(pod.body)?.uid ?? "") ?? NO_OWNERS;
    // A Pod whose owner is being deleted or is gone is part of a teardown.
    if (chain.ended === "gone" || chain.owners.some((owner) => owner.deleting)) continue;
    const owners = verifiedOwners(pod, lookupAmong(chain.owners));
    if (findExemption("ingress-policy", pod, policy, deps.today, owners).kind === "applies") continue;
    const top = chain.owners.at(-1)?.ref;
    const key = top ? describeRef(top) : "";
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { owner: top, pods: [] }));
    group.pods.push(pod);
    count += 1;
  }
  if (count === 0) return { kind: "kept" };
  return { kind: "stranded", action, policy: policyRef, deleting: change.after === undefined, groups: [...groups.values()], count };
}

const NO_OWNERS: OwnerChain = { owners: [], ended: "top" };

async function readChains(pods: readonly KubeObject[], namespace: string, readOwners: OwnerReader): Promise<Map<string, OwnerChain>> {
  const firsts = new Map<string, KubeObject>();
  for (const pod of pods) {
    const uid = controllerOf(pod.body)?.uid;
    if (uid !== undefined && !firsts.has(uid) && firsts.size < MAX_CHAINS) firsts.set(uid, pod);
  }
  // One read per controller, all at once: a Deployment's thousand Pods cost one chain.
  const entries = await Promise.all([...firsts].map(async ([uid, pod]) => [uid, await readOwners(namespace, pod.body)] as const));
  return new Map(entries);
}
