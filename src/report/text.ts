import { overrideNote } from "../engine/overrides.js";
import { describeRef } from "../kube/object.js";
import { printable } from "./printable.js";
import { groupByObject, summarize } from "./summary.js";
import type { Report } from "../engine/types.js";
import { showSource, type RenderInput } from "./render-input.js";

/** The long form (`check -v`, `audit`): findings grouped by object, each with its details and fix, then problems and a summary. */
export function renderText({ report }: RenderInput): string {
  const lines: string[] = [];
  for (const group of groupByObject(report.findings)) {
    const first = group[0];
    if (first === undefined) continue;
    lines.push(first.source ? `${first.source.file}  ${describeRef(first.object)}` : describeRef(first.object));
    for (const finding of group) {
      const line = finding.source && finding.source.line > 0 ? `line ${String(finding.source.line)}  ` : "";
      const override = finding.override ? `  ${overrideNote(finding.action, finding.override)}` : "";
      lines.push(`  ${finding.action.toUpperCase().padEnd(5)} ${finding.rule}  ${line}${finding.field}: ${finding.value}${override}`);
      lines.push(`        ${finding.message}`);
      for (const detail of finding.details) lines.push(`        - ${detail}`);
      lines.push(`        fix: ${finding.fix}`);
    }
    lines.push("");
  }
  lines.push(...closingLines(report));
  // Every line holds text from the input: shown escaped, never as terminal control.
  return `${lines.map(printable).join("\n")}\n`;
}

/** What follows the findings in both text forms: waived findings, expired exemptions, unapplied overrides, problems, the summary line (not yet escaped). */
export function closingLines(report: Report): string[] {
  const lines: string[] = [];
  if (report.waived.length > 0) {
    lines.push("Waived by exemptions:");
    for (const waived of report.waived) {
      lines.push(`  ${waived.finding.rule} ${describeRef(waived.finding.object)} ${waived.finding.field} (${waived.origin}: ${waived.reason})`);
    }
    lines.push("");
  }
  if (report.expired.length > 0) {
    lines.push("Expired exemptions (no longer applied):");
    for (const expired of report.expired) {
      lines.push(`  ${expired.rule} ${describeRef(expired.object)}: expired ${expired.expires} (${expired.reason})`);
    }
    lines.push("");
  }
  if (report.unappliedOverrides.length > 0) {
    lines.push("Overrides not applied (a namespaceSelector needs the namespace's labels):");
    for (const notice of report.unappliedOverrides) {
      lines.push(`  overrides[${String(notice.override.index)}] (${notice.override.scope}) in namespace ${notice.namespace}: ${notice.why}; the rules' own actions apply there`);
    }
    lines.push("");
  }
  if (report.problems.length > 0) {
    lines.push("Problems (input that could not be checked):");
    for (const problem of report.problems) {
      const where = showSource(problem.source);
      const what = problem.object ? ` ${describeRef(problem.object)}` : "";
      const field = problem.field ? ` ${problem.field}:` : "";
      lines.push(`  ${where || "(input)"}${what}:${field} ${problem.message}`);
    }
    lines.push("");
  }
  const s = summarize(report);
  lines.push(
    `${String(s.objects)} objects checked: ${String(s.deny)} deny, ${String(s.warn)} warn, ${String(s.audit)} audit` +
      `, ${String(s.waived)} waived, ${String(s.problems)} problems`,
  );
  return lines;
}
