import { describe, expect, it } from "vitest";
import { calicoSelects, parseCalicoSelector } from "../../src/kube/calico-selector.js";

const LABELS = { app: "web", tier: "front", "projectcalico.org/namespace": "shop", version: "v1.2-beta" };

function selects(text: string, labels: Record<string, string> = LABELS): boolean {
  const parsed = parseCalicoSelector(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return calicoSelects(parsed.value, labels);
}

describe("Calico selectors: every operator", () => {
  it.each<[string, boolean]>([
    ["", true],
    [" \t ", true],
    ["all()", true],
    ["all( )", true],
    ["global()", true],
    ["has(app)", true],
    ["has( app )", true],
    ["has(missing)", false],
    ["app == 'web'", true],
    ['app == "web"', true],
    ["app=='web'", true],
    ["app == 'db'", false],
    ["app != 'db'", true],
    ["missing != 'x'", true],
    ["app in {'web', 'db'}", true],
    ["app in {'db'}", false],
    ["app in {}", false],
    ["app in {'web',}", true],
    ["missing in {'x'}", false],
    ["app not in {'db'}", true],
    ["app notin {'web'}", false],
    ["missing not in {'x'}", true],
    ["version contains '2-b'", true],
    ["missing contains ''", false],
    ["version starts with 'v1'", true],
    ["version startswith 'v2'", false],
    ["version ends with 'beta'", true],
    ["version endswith 'alpha'", false],
    ["projectcalico.org/namespace == 'shop'", true],
    ["app == \"it's\"", false],
  ])("%j → %s", (text, expected) => {
    expect(selects(text)).toBe(expected);
  });
});

describe("precedence, negation, grouping", () => {
  it.each<[string, boolean]>([
    // && binds tighter than ||.
    ["app == 'db' && tier == 'front' || has(version)", true],
    ["app == 'db' && (tier == 'front' || has(version))", false],
    ["has(version) || app == 'db' && tier == 'back'", true],
    // ! applies to one operation; a run of ! collapses to its parity.
    ["!has(app)", false],
    ["!!has(app)", true],
    ["! ! ! has(app)", false],
    ["!app != 'web'", true],
    ["!(app == 'web' && tier == 'back')", true],
    ["!has(app) || tier == 'front'", true],
    ["(((has(app))))", true],
  ])("%j → %s", (text, expected) => {
    expect(selects(text)).toBe(expected);
  });
});

describe("invalid selectors are errors naming the position, never a crash", () => {
  it.each<[string, string]>([
    ["b", "expected an operator after the label"],
    ["a b", "expected an operator after the label"],
    ["!", "expected a label, has(), all() or ("],
    ["(", "expected a label, has(), all() or ("],
    ["()", "expected a label"],
    [")", "expected a label"],
    ["%", "expected a label"],
    ["foo in \"\"", 'expected "{"'],
    ["has(foo) &&", "expected a label, has(), all() or ("],
    ["b == b", "expected a quoted string"],
    ["'b1' == b", "expected a label"],
    ["a = 'b'", "expected an operator after the label"],
    ["a == 'b' & c == 'd'", "unexpected text after the selector"],
    ["a == 'b' | c == 'd'", "unexpected text after the selector"],
    ["a == 'unterminated", "unterminated string"],
    ["has (a)", "expected an operator after the label"],
    ["all(x)", 'expected ")" to close all('],
    ["a\n== 'b'", "expected an operator after the label"],
    ["a in {'x' 'y'}", 'expected "," or "}"'],
    ["intent == 'x' && a inx {'b'}", "expected an operator after the label"],
  ])("%j: %s", (text, message) => {
    const parsed = parseCalicoSelector(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.startsWith(message)).toBe(true);
  });

  it("a label of 513 characters and nesting past 100 levels are refused", () => {
    expect(parseCalicoSelector(`${"a".repeat(513)} == 'x'`)).toEqual({ ok: false, error: expect.stringContaining("a label longer than 512 characters") as unknown });
    expect(parseCalicoSelector(`${"(".repeat(150)}has(a)${")".repeat(150)}`)).toEqual({ ok: false, error: expect.stringContaining("nesting deeper than 100") as unknown });
    expect(parseCalicoSelector(`${"(".repeat(50)}has(a)${")".repeat(50)}`).ok).toBe(true);
  });

  it("a keyword must end at a word boundary: 'in' inside a label is a label", () => {
    expect(selects("index == 'x'", { index: "x" })).toBe(true);
    expect(selects("a in{'x'}", { a: "x" })).toBe(true);
  });
});
