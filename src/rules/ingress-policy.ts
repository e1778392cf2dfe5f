import type { CoverageLookup, Inventory, Rule, Violation } from "../engine/types.js";
import { CORE_SOURCE, namespaceLabelsOf, podIdentity } from "../engine/coverage.js";
import type { CoverageSource } from "../kube/coverage/source.js";
import { explainMismatch, selects } from "../kube/label-selector.js";
import { coversForIngress, governsIngress, type NetworkPolicyFacts } from "../kube/network-policy.js";
import { describeOpening } from "../kube/open-ingress.js";

const MAX_NEAR_MISSES = 5;
const CORE = CORE_SOURCE;

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
    "NotIn and DoesNotExist match pods without the key. With rules.ingress-policy.sources, Cilium, Calico and " +
    "network-policy-api policies count too, each with its own semantics. With rules.ingress-policy.openIngress: flag, a pod " +
    "that a policy opens to every source on every port (an ingress rule with no from and no ports, fromEntities all, a Calico " +
    "Allow with no source) is reported too: NetworkPolicies are additive, so one open rule undoes every default-deny beside it.",
  check: ({ object, pod }, { inventory, policy, surface }) => {
    if (pod === undefined) return [];
    const settings = policy.rules["ingress-policy"];
    const sources = settings.sources;
    const namespace = object.ref.namespace ?? "default";
    // At admission, a workload may arrive a moment before its NetworkPolicy (kubectl apply order): Pods are
    // denied and controllers retry, while the workload itself only warns unless enforceOn says otherwise.
    const capped = surface === "admission" && object.ref.kind !== "Pod" && settings.enforceOn === "pods";
    const cap: Pick<Violation, "maxAction"> = capped ? { maxAction: "warn" } : {};
    const core = sources.includes(CORE);
    const lookup = inventory.networkPolicies(namespace);
    const flagOpen = settings.openIngress === "flag";
    const coreCovers = core && lookup.verified && coversForIngress(lookup.policies, pod.labels);
    if (coreCovers && !flagOpen) return [];
    const identity = podIdentity(namespace, pod);
    const others = otherSources(inventory, namespace, sources);
    const namespaceLabels = namespaceLabelsOf(inventory, namespace);
    const judged = others.policies.map((candidate) => ({ candidate, verdict: candidate.judge(identity, namespaceLabels) }));
    if (coreCovers || judged.some(({ candidate, verdict }) => verdict.covers && sources.includes(candidate.source))) {
      if (!flagOpen) return [];
      const openings = [
        ...(core && lookup.verified ? lookup.policies.flatMap((p) => (p.opening !== undefined && p.podSelector.ok && selects(p.podSelector.value, pod.labels) ? [p.opening] : [])) : []),
        ...judged.flatMap(({ candidate, verdict }) => (sources.includes(candidate.source) && verdict.opening !== undefined ? [verdict.opening] : [])),
      ];
      const [first] = openings;
      if (first === undefined) return [];
      const shownLabels = labelsText(pod.labels);
      // The rule's fix is about adding a policy; this one needs a rule narrowed, so the message says so.
      const message = `ingress to pods labelled ${shownLabels} in namespace "${namespace}" is open to every source on every port through ${first.policy} ${first.rule} (${first.why}): narrow its peers or ports`;
      return [{ field: pod.labelsPath, value: shownLabels, message, key: "ingress-policy:open", details: bounded(openings.map(describeOpening), "policies"), ...cap }];
    }
    // Not covered (or not knowable): only now build the texts a finding needs.
    const shownLabels = labelsText(pod.labels);
    const unverified = core && !lookup.verified ? lookup.reason : others.incomplete;
    if (unverified !== undefined) {
      const what = core && sources.length === 1 ? "NetworkPolicy coverage" : "Ingress coverage";
      return [
        {
          field: pod.labelsPath,
          value: shownLabels,
          message: `${what} in namespace "${namespace}" cannot be verified: ${unverified}`,
          key: "ingress-policy",
          // whenUnverified: allow still reports it, as a warning: it never passes silently.
          ...(settings.whenUnverified === "allow" ? { maxAction: "warn" } : cap),
        },
      ];
    }
    const policies = lookup.verified ? lookup.policies : [];
    const nearMisses = [
      ...(core ? coreMisses(policies, pod.labels) : coreWouldCover(policies, pod.labels)),
      ...judged.flatMap(({ candidate, verdict }): string[] => {
        const enabled = sources.includes(candidate.source);
        if (enabled && candidate.invalid !== undefined) return [`${candidate.display} is invalid and covers nothing: ${candidate.invalid}`];
        if (!enabled && verdict.covers) return [`${candidate.display} would cover these pods; add ${candidate.source} to rules.ingress-policy.sources if your CNI enforces it`];
        return enabled && !verdict.covers && verdict.nearMiss !== undefined ? [verdict.nearMiss] : [];
      }),
    ];
    const coreOnly = core && sources.length === 1;
    const shownMisses = bounded(nearMisses, coreOnly ? "NetworkPolicies" : "policies");
    const message =
      coreOnly
        ? `no NetworkPolicy with Ingress in its policyTypes selects pods labelled ${shownLabels} in namespace "${namespace}"`
        : `no policy of the enabled sources (${sources.join(", ")}) isolates pods labelled ${shownLabels} in namespace "${namespace}" for ingress`;
    return [{ field: pod.labelsPath, value: shownLabels, message, key: "ingress-policy", details: shownMisses, ...cap }];
  },
};

/** "app=web,tier=front", or "(no labels)". */
function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(",") || "(no labels)";
}

/** At most MAX_NEAR_MISSES lines, then how many more. */
function bounded(lines: readonly string[], what: string): string[] {
  const shown = lines.slice(0, MAX_NEAR_MISSES);
  if (lines.length > MAX_NEAR_MISSES) shown.push(`and ${String(lines.length - MAX_NEAR_MISSES)} more ${what}`);
  return shown;
}

/** The other sources' policies for a namespace; an enabled one this front door does not read makes the answer incomplete. */
function otherSources(inventory: Inventory, namespace: string, sources: readonly CoverageSource[]): CoverageLookup {
  const enabled = sources.filter((source) => source !== CORE);
  const found = inventory.coveragePolicies?.(namespace);
  if (found === undefined) {
    return { policies: [], incomplete: enabled.length === 0 ? undefined : `${enabled.join(", ")} ${enabled.length === 1 ? "is" : "are"} not read here yet (netguard check reads them from its input)` };
  }
  return { policies: found.policies, incomplete: enabled.length === 0 ? undefined : found.incomplete };
}

function coreMisses(policies: readonly NetworkPolicyFacts[], labels: Readonly<Record<string, string>>): string[] {
  const selecting = policies.filter((p) => p.podSelector.ok && selects(p.podSelector.value, labels));
  return [
    ...selecting.map((p) => `NetworkPolicy "${p.name}" selects these pods but its policyTypes are [${p.policyTypes.join(", ")}] (no Ingress)`),
    ...policies.filter((p) => governsIngress(p) && !selecting.includes(p)).map((p) => describeMiss(p, labels)),
  ];
}

/** With NetworkPolicy left out of the sources, one that would isolate the pods is pointed out. */
function coreWouldCover(policies: readonly NetworkPolicyFacts[], labels: Readonly<Record<string, string>>): string[] {
  return coversForIngress(policies, labels)
    ? policies.filter((p) => governsIngress(p) && p.podSelector.ok && selects(p.podSelector.value, labels)).map((p) => `NetworkPolicy "${p.name}" would cover these pods; add ${CORE} to rules.ingress-policy.sources if your CNI enforces it`)
    : [];
}

function describeMiss(policy: NetworkPolicyFacts, labels: Readonly<Record<string, string>>): string {
  if (!policy.podSelector.ok) return `NetworkPolicy "${policy.name}" has an invalid podSelector: ${policy.podSelector.error}`;
  return `NetworkPolicy "${policy.name}" does not select them: it needs ${explainMismatch(policy.podSelector.value, labels).join(" and ")}`;
}
