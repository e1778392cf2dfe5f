import type { KubeObject } from "../object.js";
import { readCalicoPolicy, readTier, type TierAction, type TierLookup } from "./calico.js";
import { readCiliumPolicy } from "./cilium.js";
import { readNetworkPolicyApiPolicy } from "./network-policy-api.js";
import { sourceOf, type CoveragePolicy } from "./source.js";

/** Whether an object is a Calico Tier (either group), whose defaultAction decides if its policies isolate. */
export function isCalicoTier(object: KubeObject): boolean {
  return object.ref.kind === "Tier" && sourceOf(object.ref.apiVersion, "NetworkPolicy") === "projectcalico.org/NetworkPolicy";
}

/** The Calico Tiers among some objects, as the lookup their policies are read with. */
export function tiersAmong(objects: Iterable<KubeObject>): TierLookup {
  const tiers = new Map<string, TierAction>();
  for (const object of objects) {
    if (!isCalicoTier(object)) continue;
    const tier = readTier(object);
    tiers.set(tier.name, tier.action);
  }
  return (name) => tiers.get(name);
}

/** Reads a policy of Cilium, Calico or the network-policy-api; undefined for any other object (core NetworkPolicies included). */
export function readCoveragePolicy(object: KubeObject, defaultNamespace: string, tiers: TierLookup): CoveragePolicy | undefined {
  const source = sourceOf(object.ref.apiVersion, object.ref.kind);
  switch (source) {
    case undefined:
    case "networking.k8s.io/NetworkPolicy":
      return undefined;
    case "cilium.io/CiliumNetworkPolicy":
    case "cilium.io/CiliumClusterwideNetworkPolicy":
      return readCiliumPolicy(object, source, defaultNamespace);
    case "projectcalico.org/NetworkPolicy":
    case "projectcalico.org/GlobalNetworkPolicy":
      return readCalicoPolicy(object, source, defaultNamespace, tiers);
    case "policy.networking.k8s.io/ClusterNetworkPolicy":
    case "policy.networking.k8s.io/AdminNetworkPolicy":
    case "policy.networking.k8s.io/BaselineAdminNetworkPolicy":
      return readNetworkPolicyApiPolicy(object, source);
  }
}
