import type { AppliedOverride, Finding } from "../engine/types.js";
import { summarize } from "./summary.js";
import type { RenderInput } from "./render-input.js";
import { jsonChunks, lazyList, type JsonSections } from "./json-chunks.js";

/** The stable JSON shape of a finding (documented in docs/check.md; scripts depend on it). */
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
export function renderJson(input: RenderInput): string {
  return [...jsonChunks(jsonSections(input))].join("");
}

/** What `--output json` prints, its lists mapped as written; a front door may add keys (audit's `audit`). */
export function jsonSections({ report }: Pick<RenderInput, "report">): JsonSections {
  return {
    findings: lazyList(report.findings, findingJson),
    waived: lazyList(report.waived, (waived) => ({ ...findingJson(waived.finding), reason: waived.reason, origin: waived.origin })),
    expiredExemptions: lazyList(report.expired, (expired) => ({
      rule: expired.rule,
      object: { ...expired.object, namespace: expired.object.namespace ?? null },
      reason: expired.reason,
      expires: expired.expires,
    })),
    problems: lazyList(report.problems, (problem) => ({
      source: problem.source ? { file: problem.source.file, line: problem.source.line } : null,
      object: problem.object ? { ...problem.object, namespace: problem.object.namespace ?? null } : null,
      field: problem.field ?? null,
      message: problem.message,
    })),
    unappliedOverrides: lazyList(report.unappliedOverrides, (notice) => ({ namespace: notice.namespace, override: overrideJson(notice.override), scope: notice.override.scope, why: notice.why })),
    summary: summarize(report),
  };
}
