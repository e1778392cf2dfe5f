import type { ClusterInventoryLoader } from "../cli/check.js";
import { inventoryOf } from "../engine/inventory.js";
import type { NetworkPolicyFacts } from "../kube/network-policy.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { auditedKinds, listKind } from "./list-cluster.js";
import { listNamespaceLabels } from "./namespace-labels.js";
import { factsOf } from "./network-policy-cache.js";

/** `check --cluster`: the live NetworkPolicies of the input's namespaces, listed once each, and the namespaces' labels. */
export const loadClusterInventory: ClusterInventoryLoader = async (namespaces, options) => {
  const config = loadKubeConfig(options);
  if (!config.ok) return config;
  const kind = auditedKinds(config.value).find((k) => k.kind === "NetworkPolicy");
  if (kind === undefined) return { ok: false, error: "internal: no NetworkPolicy lister" };
  const policies: NetworkPolicyFacts[] = [];
  for (const namespace of namespaces) {
    const listing = await listKind(kind, namespace, () => undefined);
    if (!listing.ok) return { ok: false, error: `cannot list NetworkPolicies in namespace "${namespace}": ${listing.error}` };
    for (const item of listing.items) {
      const facts = factsOf(item);
      if (facts) policies.push(facts);
    }
  }
  return {
    ok: true,
    inventory: {
      ...inventoryOf(policies),
      namespaceLabels: await listNamespaceLabels(config.value),
      // Said, never silently left out: a pod these kinds would cover is then unverified, not passed.
      coveragePolicies: () => ({ policies: [], incomplete: "check --cluster lists the cluster's NetworkPolicies only, not yet its Cilium, Calico or network-policy-api policies" }),
    },
  };
};
