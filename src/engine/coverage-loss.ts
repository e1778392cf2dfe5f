import { governsIngress, type NetworkPolicyFacts } from "../kube/network-policy.js";
import { selects } from "../kube/label-selector.js";
import { isTerminating, type KubeObject } from "../kube/object.js";

/** A NetworkPolicy going away (after undefined) or being edited. */
export interface CoverageChange {
  readonly before: NetworkPolicyFacts;
  readonly after: NetworkPolicyFacts | undefined;
}

/** Whether a change can leave Pods without ingress isolation: a delete, or an edit of the selector or the effective policyTypes. */
export function changesCoverage({ before, after }: CoverageChange): boolean {
  if (after === undefined) return governsIngress(before);
  if (!governsIngress(before)) return false;
  if (!governsIngress(after)) return true;
  return selectorKey(before) !== selectorKey(after);
}

function selectorKey(policy: NetworkPolicyFacts): string {
  return policy.podSelector.ok ? JSON.stringify(policy.podSelector.value.requirements.map((r) => [r.key, r.operator, [...r.values].sort()]).sort()) : "invalid";
}

/**
 * The Pods this policy isolates for ingress now that neither its new version nor any other remaining
 * policy would isolate afterwards. Terminating Pods do not count: they are leaving anyway.
 */
export function podsLosingCoverage(change: CoverageChange, remaining: readonly NetworkPolicyFacts[], pods: readonly KubeObject[]): KubeObject[] {
  const isolates = (policy: NetworkPolicyFacts, labels: Readonly<Record<string, string>>): boolean => governsIngress(policy) && policy.podSelector.ok && selects(policy.podSelector.value, labels);
  const afterwards = [...remaining.filter((p) => p.name !== change.before.name), ...(change.after ? [change.after] : [])];
  return pods.filter((pod) => !isTerminating(pod) && isolates(change.before, pod.labels) && !afterwards.some((policy) => isolates(policy, pod.labels)));
}
