import type { Action, Finding, Report, RuleId } from "../engine/types.js";

/** Counts every output prints the same way. */
export interface Summary {
  readonly objects: number;
  readonly findings: number;
  readonly deny: number;
  readonly warn: number;
  readonly audit: number;
  /** Findings whose action a policy override set (counted in deny, warn and audit too). */
  readonly overridden: number;
  readonly waived: number;
  readonly expiredExemptions: number;
  readonly problems: number;
  readonly byRule: Readonly<Record<RuleId, number>>;
}

/** Counts findings by action and rule. */
export function summarize(report: Report): Summary {
  const byAction = (action: Action): number => report.findings.filter((finding) => finding.action === action).length;
  const byRule = zeroRuleCounts();
  for (const finding of report.findings) byRule[finding.rule] += 1;
  return {
    objects: report.objects,
    findings: report.findings.length,
    deny: byAction("deny"),
    warn: byAction("warn"),
    audit: byAction("audit"),
    overridden: report.findings.filter((finding) => finding.override !== undefined).length,
    waived: report.waived.length,
    expiredExemptions: report.expired.length,
    problems: report.problems.length,
    byRule,
  };
}

/** A count per rule id, all zero. */
export function zeroRuleCounts(): Record<RuleId, number> {
  return { "host-network": 0, "host-port": 0, "tcp-only": 0, "ingress-policy": 0 };
}

/** Groups findings by object, keeping first-seen order. */
export function groupByObject(findings: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const { kind, namespace, name } = finding.object;
    const key = `${finding.source?.file ?? ""}\u0000${kind}\u0000${namespace ?? ""}\u0000${name}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()];
}
