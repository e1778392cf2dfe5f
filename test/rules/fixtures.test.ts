import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";

const root = join(import.meta.dirname, "..", "fixtures", "manifests");

/** Fixture manifests named by outcome: fail.* must give that rule a finding, pass.* none. */
describe.each(BUILTIN_RULES.map((rule) => rule.id))("fixtures of %s", (ruleId) => {
  const files = readdirSync(join(root, ruleId)).sort();

  it("has at least one pass and one fail fixture", () => {
    expect(files.some((f) => f.startsWith("pass."))).toBe(true);
    expect(files.some((f) => f.startsWith("fail."))).toBe(true);
  });

  it.each(files)("%s", (file) => {
    const text = readFileSync(join(root, ruleId, file), "utf8");
    const collected = collectObjects([{ file, text }], [], "default");
    expect(collected.problems).toEqual([]);
    // The objects as check collects them (kinds no rule reads keep no body), judged as check judges them.
    const report = evaluate(collected.objects, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryFromObjects(collected.objects, "default"), surface: "manifests", today: "2026-11-24", defaultNamespace: "default" });
    expect(report.problems).toEqual([]);
    const hits = report.findings.filter((f) => f.rule === ruleId);
    if (file.startsWith("fail.")) expect(hits.length).toBeGreaterThan(0);
    else if (file.startsWith("pass.")) expect(hits).toEqual([]);
    else throw new Error(`fixture ${file} must be named pass.* or fail.*`);
  });
});
