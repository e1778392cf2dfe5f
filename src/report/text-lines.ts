import type { Finding } from "../engine/types.js";
import { overrideNote } from "../engine/overrides.js";
import { describeRef } from "../kube/object.js";
import { printable } from "./printable.js";
import type { RenderInput } from "./render-input.js";
import { closingLines } from "./text.js";

/** How `check` prints for people by default: one line per finding, then each rule's fix once, as eslint and kube-linter do. */
export interface TextLinesOptions {
  /** ANSI colours (the shell decides: a terminal, and NO_COLOR unset). */
  readonly colour: boolean;
}

/** The widest a column is padded to; longer cells are shown whole, unaligned. */
const MAX_PAD = 80;

const SGR = { deny: "31", warn: "33", audit: "36", dim: "2", bold: "1" } as const;

/** Renders findings as `file:line  action  rule  object  message (field)`, aligned, sorted by file and line. */
export function renderTextLines({ report }: RenderInput, options: TextLinesOptions): string {
  const paint = (style: keyof typeof SGR, text: string): string => (options.colour && text !== "" ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text);
  // Every piece holds text from the input: escaped before it is padded or painted, never terminal control.
  const rows = byFileAndLine(report.findings).map((finding) => ({
    finding,
    where: printable(location(finding)),
    object: printable(describeRef(finding.object)),
    message: printable(`${finding.message} (${finding.field})${finding.override ? `  ${overrideNote(finding.action, finding.override)}` : ""}`),
  }));
  // A column is padded to its longest cell up to MAX_PAD: one huge name must not pad every other line to its length.
  const width = (pick: (row: (typeof rows)[number]) => string): number => Math.min(MAX_PAD, rows.reduce((max, row) => Math.max(max, pick(row).length), 0));
  const widths = { where: width((row) => row.where), action: width((row) => row.finding.action), rule: width((row) => row.finding.rule), object: width((row) => row.object) };
  const lines: string[] = [];
  for (const { finding, where, object, message } of rows) {
    const cells = [
      paint("dim", where.padEnd(widths.where)),
      paint(finding.action, finding.action.padEnd(widths.action)),
      paint("bold", finding.rule.padEnd(widths.rule)),
      object.padEnd(widths.object),
      message,
    ];
    lines.push((widths.where === 0 ? cells.slice(1) : cells).join("  "));
  }
  if (rows.length > 0) lines.push("", "How to fix:", ...fixes(report.findings).map(([rule, fix]) => `  ${paint("bold", rule.padEnd(widths.rule))}  ${printable(fix)}`));
  const detailed = report.findings.filter((finding) => finding.details.length > 0).length;
  if (detailed > 0) lines.push("", `${String(detailed)} ${detailed === 1 ? "finding has" : "findings have"} details (near misses, what else was seen): -v shows them`);
  if (rows.length > 0) lines.push("");
  lines.push(...closingLines(report).map(printable));
  return `${lines.join("\n")}\n`;
}

function location(finding: Finding): string {
  const source = finding.source;
  if (source === undefined) return "";
  return source.line > 0 ? `${source.file}:${String(source.line)}` : source.file;
}

/** Files in the order they were read, findings within a file by line (stable: rule order within a line). */
function byFileAndLine(findings: readonly Finding[]): Finding[] {
  const files = new Map<string, number>();
  for (const finding of findings) if (!files.has(finding.source?.file ?? "")) files.set(finding.source?.file ?? "", files.size);
  return [...findings].sort((a, b) => (files.get(a.source?.file ?? "") ?? 0) - (files.get(b.source?.file ?? "") ?? 0) || (a.source?.line ?? 0) - (b.source?.line ?? 0));
}

/** Each rule that has a finding, with its fix, in the order the rules first appear. */
function fixes(findings: readonly Finding[]): [string, string][] {
  const seen = new Map<string, string>();
  for (const finding of findings) if (!seen.has(finding.rule)) seen.set(finding.rule, finding.fix);
  return [...seen];
}
