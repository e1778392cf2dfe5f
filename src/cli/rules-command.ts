import { BUILTIN_RULES } from "../rules/index.js";
import { parseCommandArgs, usageError } from "./command-args.js";
import { EXIT, type CliIo, type ExitCode } from "./io.js";

/** Usage text of `netguard rules`. */
export const RULES_USAGE = "Usage: netguard rules [--output text|json|markdown]\n\nLists the rules the engine runs, with what they reject and how to fix it.\n";

/** `netguard rules`: the registry the engine uses, as text, JSON or the markdown table of README.md and docs/rules.md. */
export function runRules(argv: readonly string[], io: CliIo): ExitCode {
  const parsed = parseCommandArgs("rules", RULES_USAGE, { args: [...argv], options: { output: { type: "string", short: "o", default: "text" } } }, io);
  if (!parsed.ok) return parsed.exit;
  const output = parsed.args.values.output;
  switch (output) {
    case "text":
      io.stdout(formatRulesText());
      return EXIT.clean;
    case "json":
      io.stdout(`${JSON.stringify(BUILTIN_RULES.map(({ id, title, summary, fix, help }) => ({ id, title, summary, fix, help })), null, 2)}\n`);
      return EXIT.clean;
    case "markdown":
      io.stdout(`${formatRulesMarkdown()}\n`);
      return EXIT.clean;
    default:
      return usageError(io, "rules", `--output must be text, json or markdown, not "${output}"`);
  }
}

/** Plain-text rule list: id, title, summary, fix. */
export function formatRulesText(): string {
  return BUILTIN_RULES.map((rule) => `${rule.id}\n  ${rule.title}\n  ${rule.summary}\n  fix: ${rule.fix}\n`).join("\n");
}

/** The rules table of README.md and docs/rules.md, generated from the registry (a test keeps them in step). */
export function formatRulesMarkdown(): string {
  const rows = BUILTIN_RULES.map((rule) => `| \`${rule.id}\` | ${rule.summary} | ${rule.fix} |`);
  return ["| rule id | what it rejects | how to fix |", "|---|---|---|", ...rows].join("\n");
}
