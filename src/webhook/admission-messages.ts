import type { Finding } from "../engine/types.js";
import { describeRef, type ObjectRef } from "../kube/object.js";

/** The API server cuts warnings past 256 runes once their total passes 4096 runes, and drops the rest. */
const WARNING_MAX = 256;
const WARNINGS_BUDGET = 4096;
/** Audit annotation keys are qualified-name parts: at most 63 characters, no "/". */
const ANNOTATION_KEY_MAX = 63;

/** The status message of a denial: every deny finding with rule, field, value and fix, on one line like PSA. */
export function denialMessage(ref: ObjectRef, findings: readonly Finding[]): string {
  const parts = findings.map((f) => `[${f.rule}] ${f.field}=${f.value}: ${f.message}${detailText(f)} (fix: ${f.fix})`);
  return `${describeRef(ref)} violates netguard policy: ${parts.join("; ")}`;
}

function detailText(finding: Finding): string {
  return finding.details.length > 0 ? ` (${finding.details.join("; ")})` : "";
}

/** One warning per finding: a single line of printable text, at most 256 runes, within the 4096-rune budget. */
export function warningLines(findings: readonly Finding[], prefix = ""): string[] {
  const lines: string[] = [];
  let used = 0;
  for (const [index, finding] of findings.entries()) {
    const line = clip(clean(`${prefix}[${finding.rule}] ${describeRef(finding.object)}: ${finding.message}${detailText(finding)} (${finding.field})`), WARNING_MAX);
    const rest = findings.length - index;
    // Keep room for a closing "and N more" line so nothing is dropped without a word.
    if (used + runes(line) > WARNINGS_BUDGET - 64 && rest > 1) {
      lines.push(`netguard: ${String(rest)} more findings not shown (warning size limit); run netguard check or audit for all of them`);
      break;
    }
    lines.push(line);
    used += runes(line);
  }
  return lines;
}

/** One warning per field that could not be read, naming the object and the field. */
export function problemLines(object: { readonly ref: ObjectRef }, problems: readonly { readonly field: string | undefined; readonly message: string }[]): string[] {
  return problems.map((problem) => clip(clean(`netguard could not read ${describeRef(object.ref)} ${problem.field ?? ""}: ${problem.message}`), WARNING_MAX));
}

/** Audit annotations: one key per rule (the API server prefixes the webhook name), findings joined. */
export function auditAnnotations(findings: readonly Finding[]): Record<string, string> {
  const byRule: Record<string, string[]> = {};
  for (const finding of findings) {
    (byRule[finding.rule] ??= []).push(`${finding.field}=${finding.value}: ${finding.message}`);
  }
  return Object.fromEntries(Object.entries(byRule).map(([rule, entries]) => [rule.slice(0, ANNOTATION_KEY_MAX), entries.join("; ")]));
}

/** Control characters and invalid UTF-16 make the API server drop a warning silently. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").toWellFormed();
}

/** Runes (code points), or for short strings their UTF-16 length: an upper bound, which is safe for a budget. */
function runes(text: string): number {
  return text.length <= WARNING_MAX ? text.length : [...text].length;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
