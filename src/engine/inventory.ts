import { readTier, type TierAction } from "../kube/coverage/calico.js";
import { isCalicoTier, readCoveragePolicy } from "../kube/coverage/read-coverage-policy.js";
import { sourceOf, type CoveragePolicy } from "../kube/coverage/source.js";
import { isNetworkPolicy, readNetworkPolicy, type NetworkPolicyFacts } from "../kube/network-policy.js";
import type { KubeObject } from "../kube/object.js";
import { OWNER_KINDS, ownerFacts, type OwnerFacts } from "../kube/owners.js";
import type { CoverageLookup, Inventory, NamespaceLabels, PolicyLookup } from "./types.js";

/** The label the API server puts on every namespace (1.21+), so selectors on it never need the object. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** An inventory over a fixed set of NetworkPolicies, indexed by namespace. */
export function inventoryOf(policies: Iterable<NetworkPolicyFacts>): Inventory {
  const byNamespace = new Map<string, NetworkPolicyFacts[]>();
  for (const policy of policies) {
    const list = byNamespace.get(policy.namespace);
    if (list) list.push(policy);
    else byNamespace.set(policy.namespace, [policy]);
  }
  const empty: PolicyLookup = { verified: true, policies: [] };
  return {
    networkPolicies: (namespace) => {
      const policies = byNamespace.get(namespace);
      return policies ? { verified: true, policies } : empty;
    },
  };
}

/** The inventory a manifest set (or a cluster listing) carries: its own NetworkPolicies and controllers, wherever they appear in it. */
export function inventoryFromObjects(objects: Iterable<KubeObject>, defaultNamespace: string): Inventory {
  const policies: NetworkPolicyFacts[] = [];
  const controllers = new Map<string, OwnerFacts>();
  const namespaces = new Map<string, Readonly<Record<string, string>>>();
  // Other coverage APIs' policies are read once every Calico Tier is known, wherever it appears.
  const coverageObjects: KubeObject[] = [];
  const tiers = new Map<string, TierAction>();
  for (const object of objects) {
    if (object.ref.kind === "Namespace" && object.ref.apiVersion === "v1") namespaces.set(object.ref.name, { ...object.labels, [NAMESPACE_NAME_LABEL]: object.ref.name });
    else if (isNetworkPolicy(object)) policies.push(readNetworkPolicy(object, defaultNamespace));
    else if (OWNER_KINDS.includes(object.ref.kind)) controllers.set(ownerKey(object.ref.namespace ?? defaultNamespace, object.ref.kind, object.ref.name), ownerFacts(object));
    else if (isCalicoTier(object)) {
      const tier = readTier(object);
      tiers.set(tier.name, tier.action);
    } else if (sourceOf(object.ref.apiVersion, object.ref.kind) !== undefined) coverageObjects.push(object);
  }
  const coverage = coverageIndex(coverageObjects.flatMap((object) => readCoveragePolicy(object, defaultNamespace, (name) => tiers.get(name)) ?? []));
  return {
    ...inventoryOf(policies),
    coveragePolicies: coverage,
    owners: (namespace, kind, name) => controllers.get(ownerKey(namespace, kind, name)),
    namespaceLabels: (namespace) => {
      const labels = namespaces.get(namespace);
      return labels ? { known: true, labels } : { known: false, reason: `no Namespace object "${namespace}" in the input` };
    },
  };
}

/** Looks up the coverage policies that may select a namespace's pods: its own namespaced ones and every cluster-wide one. */
export function coverageIndex(policies: readonly CoveragePolicy[]): (namespace: string) => CoverageLookup {
  const clusterWide = policies.filter((policy) => policy.namespace === undefined);
  const byNamespace = new Map<string, CoveragePolicy[]>();
  for (const policy of policies) {
    if (policy.namespace === undefined) continue;
    const list = byNamespace.get(policy.namespace);
    if (list) list.push(policy);
    else byNamespace.set(policy.namespace, [policy]);
  }
  return (namespace) => ({ policies: [...(byNamespace.get(namespace) ?? []), ...clusterWide], incomplete: undefined });
}

function ownerKey(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`;
}

/** Combines inventories (files plus cluster): the union of their policies; unverified if any is. */
export function mergeInventories(...inventories: readonly Inventory[]): Inventory {
  return {
    // The first that knows a namespace's labels answers (the files before the cluster).
    namespaceLabels: (namespace) => {
      const reasons: string[] = [];
      for (const inventory of inventories) {
        const found: NamespaceLabels | undefined = inventory.namespaceLabels?.(namespace);
        if (found?.known) return found;
        if (found) reasons.push(found.reason);
      }
      return { known: false, reason: reasons.join("; ") || "namespace labels are not available here" };
    },
    owners: (namespace, kind, name) => {
      for (const inventory of inventories) {
        const found = inventory.owners?.(namespace, kind, name);
        if (found) return found;
      }
      return undefined;
    },
    // Only inventories that read these kinds take part; one that says it is incomplete keeps saying so.
    ...(inventories.some((inventory) => inventory.coveragePolicies !== undefined)
      ? {
          coveragePolicies: (namespace: string): CoverageLookup => {
            const policies: CoveragePolicy[] = [];
            const incomplete: string[] = [];
            for (const inventory of inventories) {
              const lookup = inventory.coveragePolicies?.(namespace);
              if (lookup === undefined) continue;
              policies.push(...lookup.policies);
              if (lookup.incomplete !== undefined) incomplete.push(lookup.incomplete);
            }
            return { policies, incomplete: incomplete.length === 0 ? undefined : incomplete.join("; ") };
          },
        }
      : {}),
    networkPolicies: (namespace) => {
      const policies: NetworkPolicyFacts[] = [];
      for (const inventory of inventories) {
        const lookup = inventory.networkPolicies(namespace);
        if (!lookup.verified) return lookup;
        policies.push(...lookup.policies);
      }
      return { verified: true, policies };
    },
  };
}

/** An inventory that answers one namespace from fresher lookups (live reads) and the rest from the base. */
export function withNamespace(base: Inventory, namespace: string, lookup: PolicyLookup, coverage?: CoverageLookup): Inventory {
  const others = base.coveragePolicies;
  return {
    ...(base.owners ? { owners: base.owners } : {}),
    ...(base.namespaceLabels ? { namespaceLabels: base.namespaceLabels } : {}),
    ...(others ? { coveragePolicies: (ns: string) => (ns === namespace && coverage !== undefined ? coverage : others(ns)) } : {}),
    networkPolicies: (ns) => (ns === namespace ? lookup : base.networkPolicies(ns)),
  };
}
