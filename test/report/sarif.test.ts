import { describe, expect, it } from "vitest";
import { sarifArtifacts } from "../../src/cli/sarif-paths.js";
import type { Finding, Report } from "../../src/engine/types.js";
import { renderSarif } from "../../src/report/sarif.js";
import { policyWith } from "../builders.js";

/**
 * What GitHub code scanning requires of an upload (docs "SARIF support for code scanning", and the
 * SARIF 2.1.0 schema, sarif-2.1.0-rtm.5): every result has a physical location with an artifact URI
 * that is a valid uri-reference, relative to a uriBaseId the run declares; at most 25,000 results a run;
 * rule levels are one of none, note, warning, error; security-severity is a number as a string.
 */
const finding = (index: number, file = "deploy/app.yaml"): Finding => ({
  rule: "host-port",
  action: "deny",
  object: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: `p${String(index)}` },
  field: "spec.containers[0].ports[0].hostPort",
  value: "80",
  message: 'container "a" uses hostPort 80',
  fix: "fix",
  key: `a/80/TCP/${String(index)}`,
  details: [],
  source: { file, line: 12 },
});
const report = (findings: Finding[], extra: Partial<Report> = {}): Report => ({ objects: findings.length, findings, waived: [], expired: [], problems: [], unappliedOverrides: [], ...extra });
type Sarif = { runs: [{ results: { level: string; locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } } }[]; suppressions?: unknown[] }[]; tool: { driver: { rules: { name: string; defaultConfiguration: unknown; properties: Record<string, unknown> }[] } }; invocations: [{ toolExecutionNotifications: { message: { text: string } }[] }]; originalUriBaseIds?: unknown }] };
const sarif = (input: Report, options: Parameters<typeof renderSarif>[1] = {}, policy = policyWith({})): Sarif =>
  JSON.parse(renderSarif({ report: input, checked: [], version: "1.0.0", policy, artifacts: sarifArtifacts("/repo") }, options)) as Sarif;

describe("SARIF for GitHub code scanning", () => {
  it.each([
    ["a relative path", "deploy/app.yaml", { uri: "deploy/app.yaml", uriBaseId: "%SRCROOT%" }],
    ["an absolute path inside the checkout", "/repo/deploy/app.yaml", { uri: "deploy/app.yaml", uriBaseId: "%SRCROOT%" }],
    ["a path with ../ that stays inside", "deploy/../base/x.yaml", { uri: "base/x.yaml", uriBaseId: "%SRCROOT%" }],
    ["a path outside the checkout", "../elsewhere/x.yaml", { uri: "file:///elsewhere/x.yaml" }],
    ["a name that needs encoding", "deploy/my app#1.yaml", { uri: "deploy/my%20app%231.yaml", uriBaseId: "%SRCROOT%" }],
  ])("names %s as code scanning resolves it", (_name, file, expected) => {
    const run = sarif(report([finding(0, file)])).runs[0];
    expect(run.results[0]?.locations[0]?.physicalLocation?.artifactLocation).toEqual(expected);
    expect(run.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/" } });
  });

  it("rule names are identifiers, levels follow the policy, off rules are disabled, security-severity is set", () => {
    const rules = sarif(report([]), {}, policyWith({ "host-network": { action: "warn" }, "tcp-only": { action: "off" }, "ingress-policy": { action: "audit" } })).runs[0].tool.driver.rules;
    expect(rules.map((r) => [r.name, r.defaultConfiguration])).toEqual([
      ["HostNetwork", { level: "warning", enabled: true }],
      ["HostPort", { level: "error", enabled: true }],
      ["TcpOnly", { level: "none", enabled: false }],
      ["IngressPolicy", { level: "note", enabled: true }],
    ]);
    for (const rule of rules) expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
  });

  it("emits waived findings with suppressions carrying the reason", () => {
    const waived = [{ finding: finding(1), reason: "node agent (NET-1)", origin: "policy" as const }, { finding: finding(2), reason: "by annotation", origin: "annotation" as const }];
    const results = sarif(report([finding(0)], { waived })).runs[0].results;
    expect(results.map((r) => r.suppressions)).toEqual([
      undefined,
      [{ kind: "external", status: "accepted", justification: "node agent (NET-1)" }],
      [{ kind: "inSource", status: "accepted", justification: "by annotation" }],
    ]);
  });

  it("keeps a run within the result limit and says how many were left out, by rule", () => {
    const run = sarif(report(Array.from({ length: 12 }, (_, i) => finding(i))), { maxResults: 10 }).runs[0];
    expect(run.results).toHaveLength(9);
    expect(run.invocations[0].toolExecutionNotifications.map((n) => n.message.text)).toEqual([
      "3 more results not included (code scanning keeps 10 per run): host-port: 3; netguard check --output json lists every one",
    ]);
  });

  it("a finding from unnamed stdin has no physical location, and the run says what to do", () => {
    const run = sarif(report([finding(0, "<stdin>")])).runs[0];
    expect(run.results[0]?.locations[0]?.physicalLocation).toBeUndefined();
    expect(run.invocations[0].toolExecutionNotifications[0]?.message.text).toMatch(/^findings from stdin have no file: pass --stdin-name PATH/);
  });
});
