import type { OpenIngress } from "../open-ingress.js";

/** The policy kinds that can count as ingress coverage, by group-qualified kind (the policy file's names). */
export const COVERAGE_SOURCES = [
  "networking.k8s.io/NetworkPolicy",
  "cilium.io/CiliumNetworkPolicy",
  "cilium.io/CiliumClusterwideNetworkPolicy",
  "projectcalico.org/NetworkPolicy",
  "projectcalico.org/GlobalNetworkPolicy",
  "policy.networking.k8s.io/ClusterNetworkPolicy",
  "policy.networking.k8s.io/AdminNetworkPolicy",
  "policy.networking.k8s.io/BaselineAdminNetworkPolicy",
] as const;

/** One coverage source. */
export type CoverageSource = (typeof COVERAGE_SOURCES)[number];

/** Calico's backing CRDs carry the same kinds under another group: the same source, another spelling. */
const ALIASES: Readonly<Record<string, CoverageSource>> = {
  "crd.projectcalico.org/NetworkPolicy": "projectcalico.org/NetworkPolicy",
  "crd.projectcalico.org/GlobalNetworkPolicy": "projectcalico.org/GlobalNetworkPolicy",
};

/** The source a policy file entry names (aliases folded), or undefined for an unknown one. */
export function sourceNamed(entry: string): CoverageSource | undefined {
  return COVERAGE_SOURCES.find((source) => source === entry) ?? ALIASES[entry];
}

/** Every name the policy file accepts, for error messages. */
export const SOURCE_NAMES: readonly string[] = [...COVERAGE_SOURCES, ...Object.keys(ALIASES)];

/** The source an object is a policy of, from its apiVersion's group and kind; undefined for other objects. */
export function sourceOf(apiVersion: string, kind: string): CoverageSource | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  return sourceNamed(`${group}/${kind}`);
}

/** The pod a coverage question is about, as the policy engines see it. */
export interface PodIdentity {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** hostNetwork pods share the node's identity: no pod-level policy of these APIs reaches them. */
  readonly hostNetwork: boolean;
}

/**
 * What one policy says about one pod: covers it, or not (with a near-miss text when it selects the pod
 * yet does not isolate it); either way, the rule of it that opens the pod's ingress to everything, if one does.
 */
export type CoverageVerdict =
  | { readonly covers: true; readonly opening?: OpenIngress }
  | { readonly covers: false; readonly nearMiss: string | undefined; readonly opening?: OpenIngress };

/** A policy of one of the coverage APIs, read once, asked about pods. */
export interface CoveragePolicy {
  readonly source: CoverageSource;
  /** "CiliumNetworkPolicy shop/web-in", as every message names it. */
  readonly display: string;
  /** The namespace of a namespaced policy; undefined for a cluster-wide one. */
  readonly namespace: string | undefined;
  /** Why the API's own controller would refuse or drop it, when it would (then it covers nothing). */
  readonly invalid: string | undefined;
  /** Whether which pods it selects depends on their service account, which a metadata-only Pod list does not show. */
  readonly selectsByServiceAccount: boolean;
  readonly judge: (pod: PodIdentity, namespaceLabels: Readonly<Record<string, string>>) => CoverageVerdict;
}

/** The verdict of a policy that does not select the pod: nothing to say. */
export const NOT_SELECTED: CoverageVerdict = { covers: false, nearMiss: undefined };

/** "Kind ns/name" or "Kind name", as messages name a policy. */
export function displayName(kind: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}

/** A policy that covers nothing because it is invalid; the reason is said when it would have mattered. */
export function invalidPolicy(source: CoverageSource, display: string, namespace: string | undefined, reason: string): CoveragePolicy {
  return { source, display, namespace, invalid: reason, selectsByServiceAccount: false, judge: () => NOT_SELECTED };
}

/** A readable policy: hostNetwork pods are never covered by these kinds (they share the node's identity), so judge never sees one. */
export function validPolicy(source: CoverageSource, display: string, namespace: string | undefined, judge: CoveragePolicy["judge"], selectsByServiceAccount = false): CoveragePolicy {
  return { source, display, namespace, invalid: undefined, selectsByServiceAccount, judge: (pod, namespaceLabels) => (pod.hostNetwork ? NOT_SELECTED : judge(pod, namespaceLabels)) };
}
