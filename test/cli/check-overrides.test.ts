import { describe, expect, it } from "vitest";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { policyReportObjects, reportsYaml } from "../../src/report/policy-report.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { readFileSync } from "node:fs";
import { check } from "./run-cli.js";

const POLICY = "test/fixtures/check/overrides/rollout-policy.yaml";
const INPUT = "test/fixtures/check/overrides/warn-in-dev-deny-in-prod.yaml";

describe("check with per-namespace overrides", () => {
  it.each([
    ["text", [], "check-overrides.txt"],
    ["text", ["-v"], "check-overrides.verbose.txt"],
    ["json", [], "check-overrides.json"],
    ["sarif", [], "check-overrides.sarif"],
    ["junit", [], "check-overrides.junit.xml"],
  ])("--output %s %j names the override that set each action", async (format, flags, golden) => {
    const run = await check(["--policy", POLICY, "--output", format, ...flags, INPUT]);
    // payments is labelled env=prod: the override turns host-port to deny there.
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    await expect(run.stdout).toMatchFileSnapshot(`golden/${golden}`);
  });

  it("text -v: a short note on each overridden finding, and the override that could not be applied", async () => {
    const { stdout } = await check(["--policy", POLICY, "-v", INPUT]);
    expect(stdout).toContain("  WARN  host-port  line 22  spec.containers[0].ports[0].hostPort: 9100  (warn in dev-*: developers try things out)\n");
    expect(stdout).toContain("  DENY  host-port  line 32  spec.containers[0].ports[0].hostPort: 9100  (deny in namespaces labelled env=prod: overrides[1])\n");
    expect(stdout).toContain("  AUDIT host-port  line 43  spec.containers[0].ports[0].hostPort: 9100\n");
    expect(stdout).toContain(
      'Overrides not applied (a namespaceSelector needs the namespace\'s labels):\n  overrides[1] (namespaces labelled env=prod) in namespace staging: no Namespace object "staging" in the input; the rules\' own actions apply there\n',
    );
  });

  it("json: override is the reason, or the index of an override without one, or null", async () => {
    const body = JSON.parse((await check(["--policy", POLICY, "--output", "json", INPUT])).stdout) as {
      findings: { object: { namespace: string }; action: string; override: unknown }[];
      unappliedOverrides: unknown[];
      summary: { overridden: number };
    };
    expect(body.findings.map((f) => [f.object.namespace, f.action, f.override])).toEqual([
      ["dev-1", "warn", "developers try things out"],
      ["payments", "deny", 1],
      ["staging", "audit", null],
    ]);
    expect(body.unappliedOverrides).toEqual([{ namespace: "staging", override: 1, scope: "namespaces labelled env=prod", why: 'no Namespace object "staging" in the input' }]);
    expect(body.summary.overridden).toBe(2);
  });

  it("policyreport: the override is a result property", () => {
    const parsed = parsePolicyText(readFileSync(POLICY, "utf8"));
    if (!parsed.ok) throw new Error("policy");
    const collected = collectObjects([{ file: INPUT, text: readFileSync(INPUT, "utf8") }], [], "default");
    const report = evaluate(collected.objects, { rules: BUILTIN_RULES, policy: parsed.value, inventory: inventoryFromObjects(collected.objects, "default"), surface: "cluster", today: "2026-12-01", defaultNamespace: "default" });
    const namespaces = collected.objects.map((object) => object.ref.namespace ?? "");
    const yaml = reportsYaml(policyReportObjects(report, namespaces, new Date("2026-12-01T00:00:00Z"), "wgpolicyk8s.io/v1alpha2", { clusterReport: false }));
    expect(yaml).toContain("      override: developers try things out\n");
    expect(yaml).toContain('      override: "1"\n');
  });
});
