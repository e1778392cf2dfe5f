import { overrideNote } from "../engine/overrides.js";
import type { Action, Finding } from "../engine/types.js";
import { describeRef } from "../kube/object.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { overrideJson } from "./json.js";
import type { RenderInput } from "./render-input.js";

const LEVEL: Readonly<Record<Action, "error" | "warning" | "note">> = { deny: "error", warn: "warning", audit: "note" };

/** `--output sarif`: SARIF 2.1.0 for code-scanning UIs, one result per finding with file and line. */
export function renderSarif({ report, version }: RenderInput): string {
  const ruleIndex = new Map(BUILTIN_RULES.map((rule, index) => [rule.id, index]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "netguard",
            version,
            informationUri: "https://github.com/netguard/netguard",
            rules: BUILTIN_RULES.map((rule) => ({
              id: rule.id,
              name: rule.title.replace(/[^A-Za-z]+/g, ""),
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.summary },
              help: { text: `${rule.help}\nFix: ${rule.fix}`, markdown: `${rule.help}\n\n**Fix:** ${rule.fix}` },
              defaultConfiguration: { level: "error" },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.problems.length === 0,
            toolExecutionNotifications: report.problems.map((problem) => ({
              level: "error",
              message: { text: `${problem.field ? `${problem.field}: ` : ""}${problem.message}` },
              ...(problem.source ? { locations: [location(problem.source.file, problem.source.line)] } : {}),
            })),
          },
        ],
        results: report.findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: ruleIndex.get(finding.rule) ?? 0,
          level: LEVEL[finding.action],
          message: { text: `${describeRef(finding.object)}: ${finding.message} (${finding.field})${finding.override ? ` ${overrideNote(finding.action, finding.override)}` : ""}` },
          locations: [
            {
              ...(finding.source ? location(finding.source.file, finding.source.line) : {}),
              logicalLocations: [{ fullyQualifiedName: `${describeRef(finding.object)}/${finding.field}`, kind: "member" }],
            },
          ],
          partialFingerprints: { "netguard/v1": fingerprint(finding) },
          ...(finding.override ? { properties: { override: overrideJson(finding.override) } } : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function location(file: string, line: number): { physicalLocation: Record<string, unknown> } {
  return {
    physicalLocation: {
      artifactLocation: { uri: file.replaceAll("\\", "/") },
      ...(line > 0 ? { region: { startLine: line } } : {}),
    },
  };
}

/** Stable across runs and line moves, so code scanning tracks one alert per violation. */
function fingerprint(finding: Finding): string {
  const { kind, namespace, name } = finding.object;
  return [finding.rule, kind, namespace ?? "", name, finding.key].join("|");
}
