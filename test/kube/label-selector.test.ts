import { describe, expect, it } from "vitest";
import { compileSelector, explainMismatch, selects } from "../../src/kube/label-selector.js";

const labels = { app: "web", tier: "frontend" };

describe("selects", () => {
  it.each([
    ["absent selector selects everything", undefined, true],
    ["empty selector selects everything", {}, true],
    ["empty matchLabels selects everything", { matchLabels: {} }, true],
    ["matchLabels equal", { matchLabels: { app: "web" } }, true],
    ["matchLabels all must hold", { matchLabels: { app: "web", tier: "backend" } }, false],
    ["matchLabels absent key", { matchLabels: { team: "a" } }, false],
    ["In with value", { matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] }, true],
    ["In without value", { matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] }, false],
    ["In on absent key", { matchExpressions: [{ key: "team", operator: "In", values: ["a"] }] }, false],
    ["NotIn with other value", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["api"] }] }, true],
    ["NotIn with value", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }, false],
    ["NotIn on absent key matches", { matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }] }, true],
    ["Exists present", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
    ["Exists absent", { matchExpressions: [{ key: "team", operator: "Exists" }] }, false],
    ["DoesNotExist absent matches", { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }, true],
    ["DoesNotExist present", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    ["matchLabels AND matchExpressions, both hold", { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }] }, true],
    ["matchLabels AND matchExpressions, one fails", { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] }, false],
  ])("%s", (_name, selector, expected) => {
    const compiled = compileSelector(selector, "spec.podSelector");
    expect(compiled.ok).toBe(true);
    if (compiled.ok) expect(selects(compiled.value, labels)).toBe(expected);
  });

  it("an empty label set is selected only by requirements that hold on absent keys", () => {
    const compiled = compileSelector({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }, { key: "b", operator: "DoesNotExist" }] }, "s");
    expect(compiled.ok && selects(compiled.value, {})).toBe(true);
  });
});

describe("compileSelector errors", () => {
  it.each([
    ["not a mapping", "app=web", "spec.podSelector: must be a mapping"],
    ["matchLabels not a mapping", { matchLabels: ["a"] }, "spec.podSelector.matchLabels: must be a mapping"],
    ["matchLabels value not a string", { matchLabels: { a: 1 } }, "spec.podSelector.matchLabels.a: must be a string, not 1"],
    ["unknown operator", { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, 'spec.podSelector.matchExpressions[0].operator: "Gt" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)'],
    ["In without values", { matchExpressions: [{ key: "a", operator: "In" }] }, "spec.podSelector.matchExpressions[0].values: must be specified when operator is 'In' or 'NotIn'"],
    ["NotIn with empty values", { matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] }, "spec.podSelector.matchExpressions[0].values: must be specified when operator is 'In' or 'NotIn'"],
    ["Exists with values", { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, "spec.podSelector.matchExpressions[0].values: may not be specified when operator is 'Exists' or 'DoesNotExist'"],
    ["missing key", { matchExpressions: [{ operator: "Exists" }] }, "spec.podSelector.matchExpressions[0].key: required"],
    ["expressions not a list", { matchExpressions: { key: "a" } }, "spec.podSelector.matchExpressions: must be a list"],
  ])("%s", (_name, selector, error) => {
    expect(compileSelector(selector, "spec.podSelector")).toEqual({ ok: false, error });
  });
});

describe("explainMismatch", () => {
  it("names each failing requirement and what the pod has", () => {
    const compiled = compileSelector({ matchLabels: { app: "api", tier: "frontend" }, matchExpressions: [{ key: "team", operator: "Exists" }] }, "s");
    if (!compiled.ok) throw new Error(compiled.error);
    expect(explainMismatch(compiled.value, labels)).toEqual(["app=api (pod has app=web)", "team (pod has no label team)"]);
  });
});
