import type { Rule, Violation } from "../engine/types.js";
import { explainMismatch, selects } from "../kube/label-selector.js";
import { coversForIngress, governsIngress, type NetworkPolicyFacts } from "../kube/network-policy.js";

const MAX_NEAR_MISSES = 5;

/** Without an Ingress NetworkPolicy selecting it, a pod accepts connections from every pod in the cluster. */
export const ingressPolicy: Rule = {
  id: "ingress-policy",
  title: "Pods must be selected by an Ingress NetworkPolicy",
  summary: "Rejects pods that no NetworkPolicy in their namespace with Ingress in its effective policyTypes selects.",
  fix:
    "Add a NetworkPolicy in the same namespace whose podSelector matches the pod labels and whose policyTypes include Ingress " +
    "(policyTypes omitted counts as Ingress); an empty podSelector {} covers every pod of the namespace.",
  securitySeverity: "6.0",
  help:
    "A pod is isolated for ingress only when some NetworkPolicy in its namespace selects it and has Ingress in its policyTypes. " +
    "policyTypes defaults to [Ingress] (plus Egress when egress rules exist); an Egress-only policy does not count. " +
    "A deny-all ingress policy (no ingress rules) counts as coverage. matchLabels and matchExpressions are ANDed; " +
    "NotIn and DoesNotExist match pods without the key.",
  check: ({ object, pod }, { inventory, policy, surface }) => {
    if (pod === undefined) return [];
    const settings = policy.rules["ingress-policy"];
    const namespace = object.ref.namespace ?? "default";
    // At admission, a workload may arrive a moment before its NetworkPolicy (kubectl apply order): Pods are
    // denied and controllers retry, while the workload itself only warns unless enforceOn says otherwise.
    const capped = surface === "admission" && object.ref.kind !== "Pod" && settings.enforceOn === "pods";
    const cap: Pick<Violation, "maxAction"> = capped ? { maxAction: "warn" } : {};
    const lookup = inventory.networkPolicies(namespace);
    if (lookup.verified && coversForIngress(lookup.policies, pod.labels)) return [];
    // Not covered (or not knowable): only now build the texts a finding needs.
    const labels = Object.entries(pod.labels).map(([key, value]) => `${key}=${value}`).join(",");
    const shownLabels = labels === "" ? "(no labels)" : labels;
    if (!lookup.verified) {
      return [
        {
          field: pod.labelsPath,
          value: shownLabels,
          message: `NetworkPolicy coverage in namespace "${namespace}" cannot be verified: ${lookup.reason}`,
          key: "ingress-policy",
          // whenUnverified: allow still reports it, as a warning: it never passes silently.
          ...(settings.whenUnverified === "allow" ? { maxAction: "warn" } : cap),
        },
      ];
    }
    const selecting = lookup.policies.filter((p) => p.podSelector.ok && selects(p.podSelector.value, pod.labels));
    const nearMisses = [
      ...selecting.map((p) => `NetworkPolicy "${p.name}" selects these pods but its policyTypes are [${p.policyTypes.join(", ")}] (no Ingress)`),
      ...lookup.policies.filter((p) => governsIngress(p) && !selecting.includes(p)).map((p) => describeMiss(p, pod.labels)),
    ];
    const shownMisses = nearMisses.slice(0, MAX_NEAR_MISSES);
    if (nearMisses.length > MAX_NEAR_MISSES) shownMisses.push(`and ${String(nearMisses.length - MAX_NEAR_MISSES)} more NetworkPolicies`);
    return [
      {
        field: pod.labelsPath,
        value: shownLabels,
        message: `no NetworkPolicy with Ingress in its policyTypes selects pods labelled ${shownLabels} in namespace "${namespace}"`,
        key: "ingress-policy",
        details: shownMisses,
        ...cap,
      },
    ];
  },
};

function describeMiss(policy: NetworkPolicyFacts, labels: Readonly<Record<string, string>>): string {
  if (!policy.podSelector.ok) return `NetworkPolicy "${policy.name}" has an invalid podSelector: ${policy.podSelector.error}`;
  return `NetworkPolicy "${policy.name}" does not select them: it needs ${explainMismatch(policy.podSelector.value, labels).join(" and ")}`;
}
