import { describe, expect, it } from "vitest";
import { all, always, any, between, equals, holds, isTrue, not, oneOf, render, same, type Condition, type Element } from "../../src/rules/condition.js";

describe("conditions over one element", () => {
  const port: Element = { container: "web", hostPort: 8080, containerPort: 80, protocol: "UDP", hostNetwork: false };
  it.each<[string, Condition, boolean]>([
    ["always", always, true],
    ["is-true on false", isTrue("hostNetwork"), false],
    ["is-true on an absent field", isTrue("name"), false],
    ["equals", equals("hostPort", 8080), true],
    ["equals another type", equals("hostPort", "8080"), false],
    ["same", same("hostPort", "containerPort"), false],
    ["one-of", oneOf("protocol", ["TCP", "UDP"]), true],
    ["one-of on an absent field", oneOf("name", [""]), false],
    ["between, inclusive", between("hostPort", 8000, 8080), true],
    ["between, outside", between("hostPort", 8081, 9000), false],
    ["not", not(equals("protocol", "TCP")), true],
    ["all of none", all(), true],
    ["any of none", any(), false],
  ])("%s", (_, condition, expected) => {
    expect(holds(condition, port)).toBe(expected);
  });

  it("renders messages: fields, '?' for absent ones, and choices on presence (empty counts as absent)", () => {
    const parts = ["Service port ", { present: "name" as const, then: ['"', { field: "name" as const }, '"'], otherwise: [{ field: "port" as const }] }, " of ", { field: "container" as const }];
    expect(render(parts, { name: "dns", port: 53 })).toBe('Service port "dns" of ?');
    expect(render(parts, { name: "", port: 53 })).toBe("Service port 53 of ?");
  });
});
