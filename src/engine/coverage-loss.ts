import type { CoveragePolicy, CoverageSource, PodIdentity } from "../kube/coverage/source.js";
import { governsIngress, type NetworkPolicyFacts } from "../kube/network-policy.js";
import { selects } from "../kube/label-selector.js";
import { isTerminating, type KubeObject } from "../kube/object.js";
import { CORE_SOURCE, namespaceLabelsOf } from "./coverage.js";
import type { Inventory } from "./types.js";

/** A policy of any coverage source as the guard weighs it, before or after a change. */
export interface GuardedPolicy {
  readonly source: CoverageSource;
  /** "NetworkPolicy shop/web", "CiliumClusterwideNetworkPolicy all-in": as messages and the inventory name it. */
  readonly display: string;
  /** Its namespace; undefined for a cluster-wide kind, whose change concerns Pods of every namespace. */
  readonly namespace: string | undefined;
  readonly isolates: (pod: PodIdentity, namespaceLabels: Readonly<Record<string, string>>) => boolean;
  /** Which pods it selects depends on their service account, which the guard's metadata-only Pod list does not show. */
  readonly selectsByServiceAccount: boolean;
}

/** A policy going away (after undefined) or being edited. */
export interface CoverageChange {
  readonly before: GuardedPolicy;
  readonly after: GuardedPolicy | undefined;
}

/** A Pod as the guard lists it: metadata, and whether it runs in the node's network namespace. */
export interface ListedPod {
  readonly object: KubeObject;
  readonly hostNetwork: boolean;
}

/** The Pods a change leaves without ingress isolation, or why that cannot be told. */
export type CoverageLoss = { readonly kind: "losing"; readonly pods: readonly KubeObject[] } | { readonly kind: "unverified"; readonly reason: string };

/** A NetworkPolicy as the guard weighs it: it isolates the pods of its namespace its podSelector selects, if it governs ingress. */
export function guardedNetworkPolicy(policy: NetworkPolicyFacts): GuardedPolicy {
  const ingress = governsIngress(policy);
  return {
    source: CORE_SOURCE,
    display: `NetworkPolicy ${policy.namespace}/${policy.name}`,
    namespace: policy.namespace,
    isolates: (pod) => ingress && pod.namespace === policy.namespace && policy.podSelector.ok && selects(policy.podSelector.value, pod.labels),
    selectsByServiceAccount: false,
  };
}

/** A policy of Cilium, Calico or the network-policy-api as the guard weighs it: what its judge says covers. */
export function guardedCoveragePolicy(policy: CoveragePolicy): GuardedPolicy {
  return {
    source: policy.source,
    display: policy.display,
    namespace: policy.namespace,
    isolates: (pod, namespaceLabels) => policy.judge(pod, namespaceLabels).covers,
    selectsByServiceAccount: policy.selectsByServiceAccount,
  };
}

/** Whether a NetworkPolicy change can leave Pods without ingress isolation: a delete, or an edit of the selector or the effective policyTypes. */
export function changesNetworkPolicyCoverage(before: NetworkPolicyFacts, after: NetworkPolicyFacts | undefined): boolean {
  if (after === undefined) return governsIngress(before);
  if (!governsIngress(before)) return false;
  if (!governsIngress(after)) return true;
  return selectorKey(before) !== selectorKey(after);
}

function selectorKey(policy: NetworkPolicyFacts): string {
  return policy.podSelector.ok ? JSON.stringify(policy.podSelector.value.requirements.map((r) => [r.key, r.operator, [...r.values].sort()]).sort()) : "invalid";
}

/** What the remaining policies are weighed against: the inventory and the sources the policy enables. */
export interface LossContext {
  readonly inventory: Inventory;
  readonly sources: readonly CoverageSource[];
}

/**
 * The Pods the policy isolates for ingress now that neither its new version nor any other policy of an
 * enabled source would isolate afterwards, with ingress-policy's semantics. Terminating Pods do not
 * count: they are leaving anyway. A policy that selects by service account makes the answer unverified
 * (the Pod list is metadata only), as does an enabled source that cannot be read for a Pod's namespace.
 */
export function podsLosingCoverage(change: CoverageChange, pods: readonly ListedPod[], context: LossContext): CoverageLoss {
  const { before, after } = change;
  if (before.selectsByServiceAccount) return byServiceAccount(before);
  if (after?.selectsByServiceAccount === true) return byServiceAccount(after);
  // Per namespace, and the remaining policies only once a Pod of it loses this one: a cluster-wide
  // policy that selects a few Pods reads no other namespace's policies.
  const labelsOf = perNamespace((namespace) => namespaceLabelsOf(context.inventory, namespace));
  const remainingOf = perNamespace((namespace) => remainingIn(namespace, change, context));
  const losing: KubeObject[] = [];
  for (const { object, hostNetwork } of pods) {
    if (isTerminating(object)) continue;
    const namespace = object.ref.namespace ?? "";
    const namespaceLabels = labelsOf(namespace);
    // The service account is not listed: no policy read here selects by it (checked above and below).
    const pod: PodIdentity = { namespace, labels: object.labels, serviceAccount: "", hostNetwork };
    if (!before.isolates(pod, namespaceLabels)) continue;
    if (after?.isolates(pod, namespaceLabels) === true) continue;
    const others = remainingOf(namespace);
    if (!others.verified) return { kind: "unverified", reason: others.reason };
    if (others.policies.some((policy) => policy.isolates(pod, namespaceLabels))) continue;
    if (others.byServiceAccount !== undefined) return byServiceAccount(others.byServiceAccount);
    losing.push(object);
  }
  return { kind: "losing", pods: losing };
}

/** A per-namespace answer, computed once per namespace (a cluster-wide change asks it for every Pod). */
export function perNamespace<T>(compute: (namespace: string) => T): (namespace: string) => T {
  const known = new Map<string, T>();
  return (namespace) => {
    if (!known.has(namespace)) known.set(namespace, compute(namespace));
    return known.get(namespace) as T;
  };
}

type Remaining =
  | { readonly verified: true; readonly policies: readonly GuardedPolicy[]; readonly byServiceAccount: GuardedPolicy | undefined }
  | { readonly verified: false; readonly reason: string };

/** The other policies of the enabled sources that may isolate a namespace's Pods, the changed one left out. */
function remainingIn(namespace: string, change: CoverageChange, { inventory, sources }: LossContext): Remaining {
  const same = (source: CoverageSource, display: string): boolean => source === change.before.source && display === change.before.display;
  const policies: GuardedPolicy[] = [];
  if (sources.includes(CORE_SOURCE)) {
    const lookup = inventory.networkPolicies(namespace);
    if (!lookup.verified) return { verified: false, reason: lookup.reason };
    // The cache may still hold the policy being deleted or edited: it is the change's before, not a remaining one.
    for (const facts of lookup.policies) {
      const policy = guardedNetworkPolicy(facts);
      if (!same(policy.source, policy.display)) policies.push(policy);
    }
  }
  let bySa: GuardedPolicy | undefined;
  if (sources.some((source) => source !== CORE_SOURCE)) {
    const lookup = inventory.coveragePolicies?.(namespace);
    if (lookup === undefined) return { verified: false, reason: "the other coverage sources are not read here" };
    if (lookup.incomplete !== undefined) return { verified: false, reason: lookup.incomplete };
    for (const other of lookup.policies) {
      if (!sources.includes(other.source) || same(other.source, other.display) || other.invalid !== undefined) continue;
      const policy = guardedCoveragePolicy(other);
      if (policy.selectsByServiceAccount) bySa ??= policy;
      else policies.push(policy);
    }
  }
  return { verified: true, policies, byServiceAccount: bySa };
}

function byServiceAccount(policy: GuardedPolicy): CoverageLoss {
  return { kind: "unverified", reason: `${policy.display} selects Pods by service account, which the guard's metadata-only Pod list does not show` };
}
