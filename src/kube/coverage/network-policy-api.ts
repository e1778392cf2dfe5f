import { asObject } from "../fields.js";
import { compileSelector, selects, type LabelSelector } from "../label-selector.js";
import type { KubeObject } from "../object.js";
import { displayName, invalidPolicy, NOT_SELECTED, validPolicy, type CoveragePolicy, type CoverageSource, type CoverageVerdict } from "./source.js";

/** Which pods a subject (or peer) names: whole namespaces, or pods in namespaces. */
type Selection = { readonly kind: "namespaces"; readonly namespaces: LabelSelector } | { readonly kind: "pods"; readonly namespaces: LabelSelector; readonly pods: LabelSelector };

function readSelection(value: unknown, path: string): { ok: true; value: Selection } | { ok: false; error: string } {
  const entry = asObject(value);
  if (entry === undefined) return { ok: false, error: `${path} must be a mapping` };
  if (entry["namespaces"] !== undefined) {
    const namespaces = compileSelector(entry["namespaces"], `${path}.namespaces`);
    return namespaces.ok ? { ok: true, value: { kind: "namespaces", namespaces: namespaces.value } } : namespaces;
  }
  const pods = asObject(entry["pods"]);
  if (pods === undefined) return { ok: false, error: `${path} needs namespaces or pods` };
  // v1alpha2: an absent namespaceSelector means every namespace.
  const namespaces = compileSelector(pods["namespaceSelector"] ?? {}, `${path}.pods.namespaceSelector`);
  if (!namespaces.ok) return namespaces;
  const podSelector = compileSelector(pods["podSelector"], `${path}.pods.podSelector`);
  return podSelector.ok ? { ok: true, value: { kind: "pods", namespaces: namespaces.value, pods: podSelector.value } } : podSelector;
}

/** A peer that selects every pod of the cluster: namespaces {} or pods with both selectors empty. */
function everyPod(peer: unknown): boolean {
  const read = readSelection(peer, "peer");
  if (!read.ok) return false;
  const empty = (selector: LabelSelector): boolean => selector.requirements.length === 0;
  return read.value.kind === "namespaces" ? empty(read.value.namespaces) : empty(read.value.namespaces) && empty(read.value.pods);
}

/**
 * Reads a ClusterNetworkPolicy (v1alpha2), AdminNetworkPolicy or BaselineAdminNetworkPolicy
 * (v1alpha1). They have no implicit isolation: a pod counts as covered only under an ingress rule
 * that denies from every pod, on every port.
 */
export function readNetworkPolicyApiPolicy(object: KubeObject, source: CoverageSource): CoveragePolicy {
  const display = displayName(object.ref.kind, undefined, object.ref.name);
  const spec = asObject(object.body["spec"]) ?? {};
  if (source === "policy.networking.k8s.io/BaselineAdminNetworkPolicy" && object.ref.name !== "default") {
    return invalidPolicy(source, display, undefined, 'a BaselineAdminNetworkPolicy must be named "default"');
  }
  const subject = readSelection(spec["subject"], "spec.subject");
  if (!subject.ok) return invalidPolicy(source, display, undefined, subject.error);
  // v1alpha2 scopes a rule by protocols, v1alpha1 by ports: either makes the deny partial.
  const scopedBy = source === "policy.networking.k8s.io/ClusterNetworkPolicy" ? "protocols" : "ports";
  const rules = Array.isArray(spec["ingress"]) ? (spec["ingress"] as unknown[]).map((rule) => asObject(rule) ?? {}) : [];
  const denies = rules.filter((rule) => rule["action"] === "Deny");
  const isolating = denies.some((rule) => rule[scopedBy] === undefined && Array.isArray(rule["from"]) && (rule["from"] as unknown[]).some(everyPod));
  const why =
    denies.length === 0
      ? "has no ingress Deny rule (these policies isolate nothing by themselves)"
      : `has no ingress Deny rule from every namespace on every port (a deny limited to some peers or ${scopedBy} is partial)`;
  const selection = subject.value;
  return validPolicy(source, display, undefined, (pod, namespaceLabels): CoverageVerdict => {
    if (!selects(selection.namespaces, namespaceLabels)) return NOT_SELECTED;
    if (selection.kind === "pods" && !selects(selection.pods, pod.labels)) return NOT_SELECTED;
    return isolating ? { covers: true } : { covers: false, nearMiss: `${display} selects these pods but ${why}` };
  });
}
