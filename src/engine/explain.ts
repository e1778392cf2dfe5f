import { readCoveragePolicy, tiersAmong } from "../kube/coverage/read-coverage-policy.js";
import { COVERAGE_SOURCES, sourceOf, type CoverageSource, type PodIdentity } from "../kube/coverage/source.js";
import { summariseIngress, type IngressRuleSummary } from "../kube/ingress-summary.js";
import { explainMismatch, selects } from "../kube/label-selector.js";
import { governsIngress, isNetworkPolicy, readNetworkPolicy } from "../kube/network-policy.js";
import type { KubeObject, ObjectRef } from "../kube/object.js";
import { describeOpening } from "../kube/open-ingress.js";
import type { PodView } from "../kube/pod-template.js";
import { readSubject } from "../kube/subject.js";
import type { ActionSetting, Policy } from "../policy/policy.js";
import { CORE_SOURCE, coveringSources, namespaceLabelsOf, podIdentity } from "./coverage.js";
import { evaluate } from "./evaluate.js";
import { overrideFor } from "./overrides.js";
import type { AppliedOverride, Inventory, Problem, Rule, RuleId, UnappliedOverride } from "./types.js";

/** What explain needs: the object, every policy object known (files or cluster), and what evaluate needs. */
export interface ExplainInput {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly today: string;
  readonly defaultNamespace: string;
  /** NetworkPolicies, the other coverage kinds and Calico Tiers, as read; others are ignored. */
  readonly policyObjects: readonly KubeObject[];
}

/** One policy that selects the pod, with what it does for it. */
export interface PolicyExplanation {
  readonly source: CoverageSource;
  readonly policy: string;
  readonly enabled: boolean;
  readonly isolates: boolean;
  /** Why it selects the pod yet does not isolate it, or why it covers nothing. */
  readonly note: string | undefined;
  /** The rule that opens the pod to every source on every port, as a sentence. */
  readonly open: string | undefined;
  readonly rules: readonly IngressRuleSummary[];
  readonly omittedRules: number;
}

/** Whether the pod is isolated for ingress, by the enabled sources. */
export type IngressState = "covered" | "open" | "not-covered" | "unverified" | "not-a-pod";

/** What one rule decides for the object. */
export interface RuleExplanation {
  readonly rule: RuleId;
  /** The action in force for this object's namespace (an override's, or the rule's own). */
  readonly action: ActionSetting;
  /** The override that set the action, by its index; null when the rule's own action stands. */
  readonly overriddenBy: number | null;
  readonly verdict: "pass" | "off" | "deny" | "warn" | "audit" | "waived";
  readonly findings: readonly { readonly action: string; readonly field: string; readonly message: string; readonly details: readonly string[] }[];
}

/** The answer to "which policy covers this Pod, and what does netguard decide for it?". */
export interface Explanation {
  readonly object: ObjectRef;
  readonly pod: (PodIdentity & { readonly labelsPath: string }) | undefined;
  readonly sources: readonly CoverageSource[];
  readonly ingress: { readonly state: IngressState; readonly reason: string };
  readonly policies: readonly PolicyExplanation[];
  readonly nearMisses: readonly string[];
  readonly exemptions: readonly { readonly rule: RuleId; readonly reason: string; readonly origin: string }[];
  readonly expiredExemptions: readonly { readonly rule: RuleId; readonly reason: string; readonly expires: string }[];
  readonly override: (AppliedOverride & { readonly rules: Readonly<Partial<Record<RuleId, ActionSetting>>> }) | undefined;
  readonly unappliedOverrides: readonly UnappliedOverride[];
  readonly rules: readonly RuleExplanation[];
  /** Fields of the object that could not be read as Kubernetes reads them: the verdicts leave them out. */
  readonly problems: readonly Problem[];
}

/** Explains one object: the policies that select it (every source, enabled or not), near misses, and each rule's verdict. */
export function explain(target: KubeObject, input: ExplainInput): Explanation {
  const namespace = target.ref.namespace ?? input.defaultNamespace;
  const { subject } = readSubject(target, input.defaultNamespace);
  const settings = input.policy.rules["ingress-policy"];
  const sources = settings.sources;
  const report = evaluate([target], { ...input, surface: "manifests" });
  const override = overrideFor(input.policy.overrides, target.ref.namespace, input.inventory.namespaceLabels).applied;
  const rules = input.rules.map((rule): RuleExplanation => {
    const overridden = override?.rules[rule.id];
    const action = overridden ?? input.policy.rules[rule.id].action;
    const findings = report.findings.filter((finding) => finding.rule === rule.id);
    const waived = report.waived.some((entry) => entry.finding.rule === rule.id);
    const strongest = (["deny", "warn", "audit"] as const).find((candidate) => findings.some((finding) => finding.action === candidate));
    return {
      rule: rule.id,
      action,
      overriddenBy: overridden === undefined || override === undefined ? null : override.index,
      verdict: action === "off" ? "off" : (strongest ?? (waived ? "waived" : "pass")),
      findings: findings.map((finding) => ({ action: finding.action, field: finding.field, message: finding.message, details: finding.details })),
    };
  });
  const common = {
    object: target.ref,
    sources,
    exemptions: report.waived.map((entry) => ({ rule: entry.finding.rule, reason: entry.reason, origin: entry.origin })),
    expiredExemptions: report.expired.map((entry) => ({ rule: entry.rule, reason: entry.reason, expires: entry.expires })),
    override,
    unappliedOverrides: report.unappliedOverrides,
    rules,
    problems: report.problems,
  };
  const pod = subject.pod;
  if (pod === undefined) return { ...common, pod: undefined, ingress: { state: "not-a-pod", reason: `${target.ref.kind} runs no pods: ingress coverage does not apply` }, policies: [], nearMisses: [] };
  const identity = podIdentity(namespace, pod);
  const namespaceLabels = namespaceLabelsOf(input.inventory, namespace);
  const tiers = tiersAmong(input.policyObjects);
  const policies: PolicyExplanation[] = [];
  const nearMisses: string[] = [];
  // In source order, then by name: files and a cluster list the same policies in different orders.
  const rank = (object: KubeObject): number => COVERAGE_SOURCES.indexOf(sourceOf(object.ref.apiVersion, object.ref.kind) ?? CORE_SOURCE);
  const ordered = [...input.policyObjects].sort((a, b) => rank(a) - rank(b) || (a.ref.namespace ?? "").localeCompare(b.ref.namespace ?? "") || a.ref.name.localeCompare(b.ref.name));
  for (const object of ordered) {
    if (isNetworkPolicy(object)) {
      const facts = readNetworkPolicy(object, input.defaultNamespace);
      if (facts.namespace !== namespace) continue;
      const enabled = sources.includes(CORE_SOURCE);
      const name = `NetworkPolicy "${facts.name}"`;
      if (!facts.podSelector.ok) {
        nearMisses.push(`${name} has an invalid podSelector: ${facts.podSelector.error}`);
        continue;
      }
      if (!selects(facts.podSelector.value, pod.labels)) {
        const missing = explainMismatch(facts.podSelector.value, pod.labels);
        if (governsIngress(facts) && missing.length === 1) nearMisses.push(`${name} would select it but for ${missing.join("")}`);
        continue;
      }
      const isolates = governsIngress(facts);
      const note = facts.policyTypesError ?? (isolates ? undefined : `its policyTypes are [${facts.policyTypes.join(", ")}] (no Ingress)`);
      if (!isolates) nearMisses.push(`${name} selects it but ${note ?? "does not isolate it"}`);
      policies.push(described({ source: CORE_SOURCE, policy: name, enabled, isolates, note, open: facts.opening === undefined ? undefined : describeOpening(facts.opening) }, object));
      continue;
    }
    const source = sourceOf(object.ref.apiVersion, object.ref.kind);
    if (source === undefined || source === CORE_SOURCE) continue;
    const read = readCoveragePolicy(object, input.defaultNamespace, tiers);
    if (read === undefined || (read.namespace !== undefined && read.namespace !== namespace)) continue;
    const enabled = sources.includes(source);
    if (read.invalid !== undefined) {
      nearMisses.push(`${read.display} is invalid and covers nothing: ${read.invalid}`);
      continue;
    }
    const verdict = read.judge(identity, namespaceLabels);
    const selected = verdict.covers || verdict.nearMiss !== undefined || verdict.opening !== undefined;
    if (!selected) continue;
    const note = verdict.covers ? undefined : verdict.nearMiss;
    if (!enabled && verdict.covers) nearMisses.push(`${read.display} would cover it; add ${source} to rules.ingress-policy.sources if your CNI enforces it`);
    else if (enabled && note !== undefined) nearMisses.push(note);
    policies.push(described({ source, policy: read.display, enabled, isolates: verdict.covers, note, open: verdict.opening === undefined ? undefined : describeOpening(verdict.opening) }, object));
  }
  return { ...common, pod: { ...identity, labelsPath: pod.labelsPath }, ingress: ingressState(input.inventory, namespace, pod, sources, policies), policies, nearMisses };
}

function described(verdict: Omit<PolicyExplanation, "rules" | "omittedRules">, object: KubeObject): PolicyExplanation {
  const summary = summariseIngress(object);
  return { ...verdict, rules: summary.rules, omittedRules: summary.omitted };
}

function ingressState(inventory: Inventory, namespace: string, pod: PodView, sources: readonly CoverageSource[], policies: readonly PolicyExplanation[]): Explanation["ingress"] {
  const covering = coveringSources(inventory, namespace, pod, sources);
  if (!covering.verified) return { state: "unverified", reason: covering.reason };
  if (covering.covering.length === 0) return { state: "not-covered", reason: `no policy of the enabled sources (${sources.join(", ")}) isolates it for ingress` };
  const open = policies.filter((policy) => policy.enabled && policy.open !== undefined);
  const by = policies.filter((policy) => policy.enabled && policy.isolates).map((policy) => policy.policy);
  if (open.length > 0) return { state: "open", reason: `${open.map((policy) => policy.policy).join(", ")} ${open.length === 1 ? "admits" : "admit"} every source on every port (isolated by ${by.join(", ")})` };
  return { state: "covered", reason: `isolated by ${by.join(", ")}` };
}
