import type { CoverageSource, PodIdentity } from "../kube/coverage/source.js";
import { coversForIngress } from "../kube/network-policy.js";
import type { PodView } from "../kube/pod-template.js";
import { NAMESPACE_NAME_LABEL } from "./inventory.js";
import type { Inventory } from "./types.js";

/** The core kind: read through Inventory.networkPolicies, not coveragePolicies. */
export const CORE_SOURCE: CoverageSource = "networking.k8s.io/NetworkPolicy";

/** A pod as the coverage kinds see it. */
export function podIdentity(namespace: string, pod: PodView): PodIdentity {
  return { namespace, labels: pod.labels, serviceAccount: pod.serviceAccount, hostNetwork: pod.hostNetwork };
}

/** A namespace's labels; one known only by name has kubernetes.io/metadata.name alone, as the API server sets it. */
export function namespaceLabelsOf(inventory: Inventory, namespace: string): Readonly<Record<string, string>> {
  const known = inventory.namespaceLabels?.(namespace);
  return known?.known ? { ...known.labels, [NAMESPACE_NAME_LABEL]: namespace } : { [NAMESPACE_NAME_LABEL]: namespace };
}

/** Which enabled sources isolate a pod for ingress, or why that cannot be known. */
export type CoveringSources = { readonly verified: true; readonly covering: readonly CoverageSource[] } | { readonly verified: false; readonly reason: string };

/** Every enabled source that covers the pod (audit counts per kind); unverified when an enabled one cannot be read. */
export function coveringSources(inventory: Inventory, namespace: string, pod: PodView, sources: readonly CoverageSource[]): CoveringSources {
  const covering = new Set<CoverageSource>();
  if (sources.includes(CORE_SOURCE)) {
    const lookup = inventory.networkPolicies(namespace);
    if (!lookup.verified) return { verified: false, reason: lookup.reason };
    if (coversForIngress(lookup.policies, pod.labels)) covering.add(CORE_SOURCE);
  }
  if (sources.some((source) => source !== CORE_SOURCE)) {
    const others = inventory.coveragePolicies?.(namespace);
    if (others === undefined) return { verified: false, reason: "these coverage kinds are not read here" };
    if (others.incomplete !== undefined) return { verified: false, reason: others.incomplete };
    const identity = podIdentity(namespace, pod);
    const labels = namespaceLabelsOf(inventory, namespace);
    for (const policy of others.policies) {
      if (sources.includes(policy.source) && !covering.has(policy.source) && policy.judge(identity, labels).covers) covering.add(policy.source);
    }
  }
  return { verified: true, covering: sources.filter((source) => covering.has(source)) };
}
