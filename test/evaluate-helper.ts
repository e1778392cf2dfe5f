import { evaluate } from "../src/engine/evaluate.js";
import { inventoryFromObjects } from "../src/engine/inventory.js";
import type { Inventory, Report, Surface } from "../src/engine/types.js";
import { DEFAULT_POLICY, type Policy } from "../src/policy/policy.js";
import { BUILTIN_RULES } from "../src/rules/index.js";
import { kube } from "./builders.js";

/** Evaluates literal manifests the way `check` does: their own NetworkPolicies are the inventory. */
export function evaluateManifests(
  manifests: readonly unknown[],
  options: { policy?: Policy; surface?: Surface; inventory?: Inventory; today?: string } = {},
): Report {
  const objects = manifests.map((manifest) => kube(manifest));
  return evaluate(objects, {
    rules: BUILTIN_RULES,
    policy: options.policy ?? DEFAULT_POLICY,
    inventory: options.inventory ?? inventoryFromObjects(objects, "default"),
    surface: options.surface ?? "manifests",
    today: options.today ?? "2026-11-24",
    defaultNamespace: "default",
  });
}

/** The findings of one rule, reduced to field and value for table tests. */
export function findingsOf(report: Report, rule: string): { field: string; value: string }[] {
  return report.findings.filter((f) => f.rule === rule).map(({ field, value }) => ({ field, value }));
}
