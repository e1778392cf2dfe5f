import { overrideNote } from "../engine/overrides.js";
import type { Finding, RuleId } from "../engine/types.js";
import { describeRef, STDIN } from "../kube/object.js";
import type { ActionSetting } from "../policy/policy.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { overrideJson } from "./json.js";
import type { RenderInput, SarifArtifacts } from "./render-input.js";

const LEVEL: Readonly<Record<ActionSetting, "error" | "warning" | "note" | "none">> = { deny: "error", warn: "warning", audit: "note", off: "none" };
/** GitHub code scanning keeps at most 25,000 results of a run and drops the upload past it. */
export const MAX_SARIF_RESULTS = 25_000;
/** Without a shell's file system view: paths as given, no base. */
const AS_GIVEN: SarifArtifacts = { rootUri: "", locate: (file) => ({ uri: file.replaceAll("\\", "/") }) };

/** `--output sarif`: SARIF 2.1.0 as GitHub code scanning takes it: repository-relative files, rule levels from the policy, waivers as suppressions. */
export function renderSarif({ report, version, policy, artifacts = AS_GIVEN }: RenderInput, options: { readonly maxResults?: number } = {}): string {
  const maxResults = options.maxResults ?? MAX_SARIF_RESULTS;
  const ruleIndex = new Map(BUILTIN_RULES.map((rule, index) => [rule.id, index]));
  const all = [...report.findings.map((finding) => ({ finding, waiver: undefined })), ...report.waived.map((w) => ({ finding: w.finding, waiver: w }))];
  const shown = all.length > maxResults ? all.slice(0, maxResults - 1) : all;
  const notifications = report.problems.map((problem) => ({
    level: "error",
    message: { text: `${problem.field ? `${problem.field}: ` : ""}${problem.message}` },
    ...(problem.source && problem.source.file !== STDIN ? { locations: [location(problem.source.file, problem.source.line, artifacts)] } : {}),
  }));
  if (shown.length < all.length) {
    const rest = all.slice(shown.length);
    notifications.push({ level: "warning", message: { text: `${String(rest.length)} more results not included (code scanning keeps ${maxResults.toLocaleString("en-US")} per run): ${countsByRule(rest.map((r) => r.finding.rule))}; netguard check --output json lists every one` } });
  }
  if (all.some((r) => r.finding.source?.file === STDIN)) {
    notifications.push({ level: "warning", message: { text: "findings from stdin have no file: pass --stdin-name PATH, or render with helm (# Source:) or kustomize (buildMetadata: [originAnnotations]) and --source-root, so each alert points at a repository file" } });
  }
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "netguard",
            version,
            semanticVersion: version,
            informationUri: "https://github.com/netguard/netguard",
            rules: BUILTIN_RULES.map((rule) => {
              const action = policy?.rules[rule.id].action ?? "deny";
              return {
                id: rule.id,
                name: pascalCase(rule.id),
                shortDescription: { text: rule.title },
                fullDescription: { text: rule.summary },
                help: { text: `${rule.help}\nFix: ${rule.fix}`, markdown: `${rule.help}\n\n**Fix:** ${rule.fix}` },
                defaultConfiguration: { level: LEVEL[action], enabled: action !== "off" },
                properties: { "security-severity": rule.securitySeverity, tags: ["security", "kubernetes", "network"], precision: "very-high" },
              };
            }),
          },
        },
        ...(artifacts.rootUri ? { originalUriBaseIds: { "%SRCROOT%": { uri: artifacts.rootUri } } } : {}),
        invocations: [{ executionSuccessful: report.problems.length === 0, ...(artifacts.rootUri ? { workingDirectory: { uri: artifacts.rootUri } } : {}), toolExecutionNotifications: notifications }],
        results: shown.map(({ finding, waiver }) => ({
          ruleId: finding.rule,
          ruleIndex: ruleIndex.get(finding.rule) ?? 0,
          level: LEVEL[finding.action],
          message: { text: `${describeRef(finding.object)}: ${finding.message} (${finding.field})${finding.override ? ` ${overrideNote(finding.action, finding.override)}` : ""}` },
          locations: [
            {
              ...(finding.source && finding.source.file !== STDIN ? location(finding.source.file, finding.source.line, artifacts) : {}),
              logicalLocations: [{ fullyQualifiedName: `${describeRef(finding.object)}/${finding.field}`, kind: "member" }],
            },
          ],
          partialFingerprints: { "netguard/v1": fingerprint(finding) },
          ...(waiver ? { suppressions: [{ kind: waiver.origin === "annotation" ? "inSource" : "external", status: "accepted", justification: waiver.reason }] } : {}),
          ...(finding.override ? { properties: { override: overrideJson(finding.override) } } : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** "host-network" → "HostNetwork": SARIF's name is an identifier, not a sentence. */
function pascalCase(id: RuleId): string {
  return id.split("-").map((word) => `${word.slice(0, 1).toUpperCase()}${word.slice(1)}`).join("");
}

function countsByRule(rules: readonly RuleId[]): string {
  const counts = new Map<string, number>();
  for (const rule of rules) counts.set(rule, (counts.get(rule) ?? 0) + 1);
  return [...counts].map(([rule, count]) => `${rule}: ${String(count)}`).join(", ");
}

function location(file: string, line: number, artifacts: SarifArtifacts): { physicalLocation: Record<string, unknown> } {
  return { physicalLocation: { artifactLocation: artifacts.locate(file), ...(line > 0 ? { region: { startLine: line } } : {}) } };
}

/** Stable across runs and line moves, so code scanning tracks one alert per violation. */
function fingerprint(finding: Finding): string {
  const { kind, namespace, name } = finding.object;
  return [finding.rule, kind, namespace ?? "", name, finding.key].join("|");
}

