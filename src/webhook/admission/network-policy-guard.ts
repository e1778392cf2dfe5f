import type { OwnerChain, OwnerReader } from "../../cluster/owner-reader.js";
import type { PodLister } from "../../cluster/pod-metadata-lister.js";
import { changesNetworkPolicyCoverage, guardedCoveragePolicy, guardedNetworkPolicy, perNamespace, podsLosingCoverage, type CoverageChange } from "../../engine/coverage-loss.js";
import { CORE_SOURCE } from "../../engine/coverage.js";
import { findExemption } from "../../engine/exemptions.js";
import { overrideFor } from "../../engine/overrides.js";
import type { Action, Inventory } from "../../engine/types.js";
import type { TierLookup } from "../../kube/coverage/calico.js";
import { readCoveragePolicy } from "../../kube/coverage/read-coverage-policy.js";
import { sourceOf, type CoverageSource } from "../../kube/coverage/source.js";
import { readNetworkPolicy } from "../../kube/network-policy.js";
import { describeRef, type KubeObject, type ObjectRef } from "../../kube/object.js";
import { controllerOf, lookupAmong, verifiedOwners } from "../../kube/owners.js";
import type { Policy } from "../../policy/policy.js";
import type { AdmissionRequest } from "./admission-review.js";

/** What the guard reads: the policy, the caches of the enabled sources, and live Pods and owners. */
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

/** The guard's answer for one delete or edit of a policy of an enabled source. */
export type GuardVerdict =
  | { readonly kind: "kept" }
  | {
      readonly kind: "stranded";
      readonly action: Action;
      readonly policy: ObjectRef;
      readonly deleting: boolean;
      readonly groups: readonly StrandedGroup[];
      readonly count: number;
      /** The enabled sources, which the message names. */
      readonly sources: readonly CoverageSource[];
    }
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

/** A request the guard judges: the change it makes to a policy's coverage, and that policy. */
export interface GuardedRequest {
  readonly change: CoverageChange;
  readonly policy: ObjectRef;
}

/** The change a request makes to the coverage of an enabled source's policy, if it is one the guard judges. */
export function guardedChange(request: AdmissionRequest, policy: Policy, tiers: TierLookup): GuardedRequest | undefined {
  if (request.subResource !== "" || TEARDOWN_USERS.has(request.username)) return undefined;
  const before = request.oldObject;
  const settings = policy.rules["ingress-policy"];
  if (before === undefined || settings.guard === "off") return undefined;
  const source = sourceOf(before.ref.apiVersion, before.ref.kind);
  if (source === undefined || !settings.sources.includes(source)) return undefined;
  const after = request.operation === "UPDATE" ? request.object : undefined;
  if (request.operation !== "DELETE" && (after === undefined || sourceOf(after.ref.apiVersion, after.ref.kind) !== source)) return undefined;
  const change = source === CORE_SOURCE ? networkPolicyChange(before, after, request.namespace) : coverageChange(before, after, { namespace: request.namespace, tiers });
  return change === undefined ? undefined : { change, policy: before.ref };
}

function networkPolicyChange(before: KubeObject, after: KubeObject | undefined, requestNamespace: string): CoverageChange | undefined {
  const namespace = before.ref.namespace ?? requestNamespace;
  const old = readNetworkPolicy(before, namespace);
  const next = after === undefined ? undefined : readNetworkPolicy(after, namespace);
  if (!changesNetworkPolicyCoverage(old, next)) return undefined;
  return { before: guardedNetworkPolicy(old), after: next === undefined ? undefined : guardedNetworkPolicy(next) };
}

/** The other kinds are weighed whole on every edit of their spec (their rules decide more than a selector). */
function coverageChange(before: KubeObject, after: KubeObject | undefined, read: { readonly namespace: string; readonly tiers: TierLookup }): CoverageChange | undefined {
  const old = readCoveragePolicy(before, read.namespace, read.tiers);
  if (old === undefined || old.invalid !== undefined) return undefined;
  if (after !== undefined && sameSpec(before, after)) return undefined;
  const next = after === undefined ? undefined : readCoveragePolicy(after, read.namespace, read.tiers);
  return { before: guardedCoveragePolicy(old), after: next === undefined ? undefined : guardedCoveragePolicy(next) };
}

/** Labels, annotations and status change no coverage: only spec (and Cilium's specs) do. */
function sameSpec(before: KubeObject, after: KubeObject): boolean {
  return JSON.stringify([before.body["spec"], before.body["specs"]]) === JSON.stringify([after.body["spec"], after.body["specs"]]);
}

/** Works out which existing Pods the change strands, with ingress-policy's semantics, exemptions and teardown rules. */
export async function guardNetworkPolicy(guarded: GuardedRequest, deps: GuardDeps): Promise<GuardVerdict> {
  const { change, policy: policyRef } = guarded;
  const { policy, inventory } = deps;
  const settings = policy.rules["ingress-policy"];
  const action = settings.guard;
  if (action === "off") return { kind: "kept" };
  // Where ingress-policy itself is off (for the namespace, by an override), there is no coverage to keep.
  const ruleOff = perNamespace((namespace) => (overrideFor(policy.overrides, namespace, inventory.namespaceLabels).applied?.rules["ingress-policy"] ?? settings.action) === "off");
  const scope = change.before.namespace;
  if (scope !== undefined && ruleOff(scope)) return { kind: "kept" };
  const deleting = change.after === undefined;
  const unverified = (reason: string): GuardVerdict => ({ kind: "unverified", action: settings.whenUnverified === "allow" ? "allow" : action, policy: policyRef, deleting, reason });
  const listing = await deps.listPods({ namespace: scope, hostNetwork: settings.sources.some((source) => source !== CORE_SOURCE) });
  if (!listing.ok) return unverified(listing.reason);
  const judged = listing.pods.filter((pod) => !ruleOff(pod.object.ref.namespace ?? ""));
  const loss = podsLosingCoverage(change, judged, { inventory, sources: settings.sources });
  if (loss.kind === "unverified") return unverified(loss.reason);
  if (loss.pods.length === 0) return { kind: "kept" };
  const chains = await readChains(loss.pods, deps.readOwners);
  const groups = new Map<string, { owner: ObjectRef | undefined; pods: KubeObject[] }>();
  let count = 0;
  for (const pod of loss.pods) {
    const chain = chains.get(chainKey(pod)) ?? NO_OWNERS;
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
  return { kind: "stranded", action, policy: policyRef, deleting, groups: [...groups.values()], count, sources: settings.sources };
}

/** A Pod's controller, namespace-qualified: a cluster-wide change reaches Pods of every namespace. */
function chainKey(pod: KubeObject): string {
  return `${pod.ref.namespace ?? ""}/${controllerOf(pod.body)?.uid ?? ""}`;
}

const NO_OWNERS: OwnerChain = { owners: [], ended: "top" };

async function readChains(pods: readonly KubeObject[], readOwners: OwnerReader): Promise<Map<string, OwnerChain>> {
  const firsts = new Map<string, KubeObject>();
  for (const pod of pods) {
    if (controllerOf(pod.body) === undefined) continue;
    const key = chainKey(pod);
    if (!firsts.has(key) && firsts.size < MAX_CHAINS) firsts.set(key, pod);
  }
  // One read per controller, all at once: a Deployment's thousand Pods cost one chain.
  const entries = await Promise.all([...firsts].map(async ([key, pod]) => [key, await readOwners(pod.ref.namespace ?? "", pod.body)] as const));
  return new Map(entries);
}
