import type { AppliedOverride, Finding } from "../engine/types.js";
import { summarize } from "./summary.js";
import type { RenderInput } from "./render-input.js";

/** The stable JSON shape of a finding (documented in the README; scripts depend on it). */
export function findingJson(finding: Finding): Record<string, unknown> {
  return {
    rule: finding.rule,
    action: finding.action,
    object: {
      apiVersion: finding.object.apiVersion,
      kind: finding.object.kind,
      namespace: finding.object.namespace ?? null,
      name: finding.object.name,
    },
    field: finding.field,
    value: finding.value,
    message: finding.message,
    fix: finding.fix,
    details: finding.details,
    source: finding.source ? { file: finding.source.file, line: finding.source.line } : null,
    override: finding.override ? overrideJson(finding.override) : null,
  };
}

/** An override as JSON names it: its reason, or its index in the policy's overrides when it has none. */
export function overrideJson(override: AppliedOverride): string | number {
  return override.reason ?? override.index;
}

/** `--output json`: {findings, waived, expiredExemptions, problems, unappliedOverrides, summary}. */
export function renderJson({ report }: RenderInput): string {
  const body = {
    findings: report.findings.map(findingJson),
    waived: report.waived.map((waived) => ({ ...findingJson(waived.finding), reason: waived.reason, origin: waived.origin })),
    expiredExemptions: report.expired.map((expired) => ({
      rule: expired.rule,
      object: { ...expired.object, namespace: expired.object.namespace ?? null },
      reason: expired.reason,
      expires: expired.expires,
    })),
    problems: report.problems.map((problem) => ({
      source: problem.source ? { file: problem.source.file, line: problem.source.line } : null,
      object: problem.object ? { ...problem.object, namespace: problem.object.namespace ?? null } : null,
      field: problem.field ?? null,
      message: problem.message,
    })),
    unappliedOverrides: report.unappliedOverrides.map((notice) => ({ namespace: notice.namespace, override: overrideJson(notice.override), scope: notice.override.scope, why: notice.why })),
    summary: summarize(report),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
