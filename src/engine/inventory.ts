import { isNetworkPolicy, readNetworkPolicy, type NetworkPolicyFacts } from "../kube/network-policy.js";
import type { KubeObject } from "../kube/object.js";
import { OWNER_KINDS, ownerFacts, type OwnerFacts } from "../kube/owners.js";
import type { Inventory, PolicyLookup } from "./types.js";

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
  for (const object of objects) {
    if (isNetworkPolicy(object)) policies.push(readNetworkPolicy(object, defaultNamespace));
    else if (OWNER_KINDS.includes(object.ref.kind)) controllers.set(ownerKey(object.ref.namespace ?? defaultNamespace, object.ref.kind, object.ref.name), ownerFacts(object));
  }
  return { ...inventoryOf(policies), owners: (namespace, kind, name) => controllers.get(ownerKey(namespace, kind, name)) };
}

function ownerKey(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`;
}

/** Combines inventories (files plus cluster): the union of their policies; unverified if any is. */
export function mergeInventories(...inventories: readonly Inventory[]): Inventory {
  return {
    owners: (namespace, kind, name) => {
      for (const inventory of inventories) {
        const found = inventory.owners?.(namespace, kind, name);
        if (found) return found;
      }
      return undefined;
    },
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

/** An inventory that answers one namespace from a fresher lookup (a live read) and the rest from the base. */
export function withNamespace(base: Inventory, namespace: string, lookup: PolicyLookup): Inventory {
  return { ...(base.owners ? { owners: base.owners } : {}), networkPolicies: (ns) => (ns === namespace ? lookup : base.networkPolicies(ns)) };
}
