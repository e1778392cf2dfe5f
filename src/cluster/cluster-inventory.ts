import type { ClusterInventoryLoader } from "../cli/check.js";
import { coverageIndex, inventoryOf } from "../engine/inventory.js";
import { listCoveragePolicies } from "./coverage-cache.js";
import type { NetworkPolicyFacts } from "../kube/network-policy.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { auditedKinds, listKind } from "./list-cluster.js";
import { listNamespaceLabels } from "./namespace-labels.js";
import { factsOf } from "./network-policy-cache.js";

/**
 * `check --cluster`: the live NetworkPolicies of the input's namespaces (listed once each), the policies of
 * the other enabled coverage sources, and the namespaces' labels.
 */
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
  const coverage = await listCoveragePolicies(config.value, options.sources);
  const index = coverageIndex(coverage.policies);
  return {
    ok: true,
    ...(coverage.unserved.length > 0 ? { notes: coverage.unserved.map((line) => `enabled coverage source ${line}: it covers nothing`) } : {}),
    inventory: {
      ...inventoryOf(policies),
      namespaceLabels: await listNamespaceLabels(config.value),
      // A kind that could not be listed makes coverage unverified (never passed); one not served covers nothing.
      coveragePolicies: (namespace) => ({ policies: index(namespace).policies, incomplete: coverage.incomplete }),
    },
  };
};
