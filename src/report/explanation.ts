import type { Explanation, PolicyExplanation } from "../engine/explain.js";
import { describeRef } from "../kube/object.js";
import { printable } from "./printable.js";

const STATE_TEXT: Readonly<Record<Explanation["ingress"]["state"], string>> = {
  covered: "covered",
  open: "OPEN",
  "not-covered": "NOT covered",
  unverified: "cannot be verified",
  "not-a-pod": "not applicable",
};

/** `netguard explain`'s text: the object, its ingress verdict, the policies selecting it, near misses, exemptions and overrides, each rule's verdict. */
export function renderExplanationText(explanation: Explanation): string {
  const lines: string[] = [];
  const labels = explanation.pod ? Object.entries(explanation.pod.labels).map(([key, value]) => `${key}=${value}`).join(",") || "(no labels)" : undefined;
  lines.push(`${describeRef(explanation.object)}${labels === undefined ? "" : `: pods labelled ${labels}`}`);
  lines.push(`Ingress: ${STATE_TEXT[explanation.ingress.state]}: ${explanation.ingress.reason}`);
  lines.push(`Coverage sources: ${explanation.sources.join(", ")}`);
  if (explanation.pod !== undefined) {
    lines.push("", "Policies selecting it:");
    if (explanation.policies.length === 0) lines.push("  none");
    for (const policy of explanation.policies) lines.push(...policyLines(policy));
    lines.push("", "Near misses:");
    lines.push(...(explanation.nearMisses.length === 0 ? ["  none"] : explanation.nearMisses.map((miss) => `  ${miss}`)));
  }
  lines.push("", "Exemptions:");
  const exemptions = [
    ...explanation.exemptions.map((entry) => `  ${entry.rule} waived (${entry.origin}): ${entry.reason}`),
    ...explanation.expiredExemptions.map((entry) => `  ${entry.rule}: expired ${entry.expires}, no longer applies: ${entry.reason}`),
  ];
  lines.push(...(exemptions.length === 0 ? ["  none"] : exemptions));
  lines.push("", "Overrides:");
  const override = explanation.override;
  const overrides = [
    ...(override === undefined
      ? []
      : [`  overrides[${String(override.index)}] (${override.scope}${override.reason === undefined ? "" : `: ${override.reason}`}) sets ${Object.entries(override.rules).map(([rule, action]) => `${rule} ${action}`).join(", ")}`]),
    ...explanation.unappliedOverrides.map((entry) => `  overrides[${String(entry.override.index)}] (${entry.override.scope}) not applied: ${entry.why}`),
  ];
  lines.push(...(overrides.length === 0 ? ["  none"] : overrides));
  lines.push("", "Rules:");
  const width = Math.max(...explanation.rules.map((rule) => rule.rule.length));
  for (const rule of explanation.rules) {
    const set = rule.overriddenBy === null ? `action ${rule.action}` : `action ${rule.action}, set by overrides[${String(rule.overriddenBy)}]`;
    const head = `  ${rule.rule.padEnd(width)}  ${rule.verdict.padEnd(6)}  (${set})`;
    if (rule.findings.length === 0) lines.push(head);
    for (const finding of rule.findings) {
      lines.push(`${head}: ${finding.message} (${finding.field})`);
      for (const detail of finding.details) lines.push(`  ${"".padEnd(width)}    - ${detail}`);
    }
  }
  return `${lines.map(printable).join("\n")}\n`;
}

function policyLines(policy: PolicyExplanation): string[] {
  const does = policy.enabled ? (policy.isolates ? "isolates ingress" : "does not isolate") : `${policy.isolates ? "would isolate ingress" : "would not isolate"} (${policy.source} is not an enabled source)`;
  const status = [does, ...(policy.note === undefined ? [] : [policy.note])].join("; ");
  const lines = [`  ${policy.policy}: ${status}`];
  if (policy.open !== undefined) lines.push(`    OPEN: ${policy.open}`);
  if (policy.rules.length === 0) lines.push("    no ingress rules: admits nothing");
  for (const rule of policy.rules) lines.push(`    ${rule.rule}  ${rule.action}  from ${rule.from}  on ${rule.ports}`);
  if (policy.omittedRules > 0) lines.push(`    and ${String(policy.omittedRules)} more rules`);
  return lines;
}

/** `netguard explain --output json`: the explanation with every absent value null (schema/explain.schema.json). */
export function renderExplanationJson(explanation: Explanation, version: string): string {
  const document = {
    version,
    object: { apiVersion: explanation.object.apiVersion, kind: explanation.object.kind, name: explanation.object.name, namespace: explanation.object.namespace ?? null },
    pod: explanation.pod === undefined ? null : { namespace: explanation.pod.namespace, labels: explanation.pod.labels, serviceAccount: explanation.pod.serviceAccount, hostNetwork: explanation.pod.hostNetwork },
    sources: explanation.sources,
    ingress: explanation.ingress,
    policies: explanation.policies.map((policy) => ({ ...policy, note: policy.note ?? null, open: policy.open ?? null })),
    nearMisses: explanation.nearMisses,
    exemptions: explanation.exemptions,
    expiredExemptions: explanation.expiredExemptions,
    override: explanation.override === undefined ? null : { index: explanation.override.index, scope: explanation.override.scope, reason: explanation.override.reason ?? null, rules: explanation.override.rules },
    unappliedOverrides: explanation.unappliedOverrides.map((entry) => ({ index: entry.override.index, scope: entry.override.scope, why: entry.why })),
    rules: explanation.rules,
    problems: explanation.problems.map((problem) => ({ field: problem.field ?? null, line: problem.source?.line ?? null, message: problem.message })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
