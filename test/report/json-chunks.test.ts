import { describe, expect, it } from "vitest";
import { jsonChunks, lazyList } from "../../src/report/json-chunks.js";

describe("jsonChunks: JSON.stringify(value, null, 2) in pieces", () => {
  const nested = { a: [1, { b: "x\ny" }], c: null, d: { e: [] } };
  it.each([
    ["an empty object", {}],
    ["scalars and nested objects", { n: 1, s: "two", t: true, z: null, o: nested }],
    ["an empty list", { findings: [] }],
    ["lists of objects with strings that need escaping", { findings: [nested, { quote: '"', unicode: "é\u2028" }], summary: { objects: 2 } }],
  ])("%s", (_name, value) => {
    const lazy = Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, Array.isArray(entry) ? lazyList(entry, (item) => item) : entry]));
    expect([...jsonChunks(lazy)].join("")).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it("maps each element only as it is written, one piece per element", () => {
    const mapped: number[] = [];
    const chunks = jsonChunks({ items: lazyList([1, 2, 3], (n) => (mapped.push(n), { n })) });
    expect(chunks.next().value).toBe("{\n");
    expect(chunks.next().value).toBe('  "items": [\n');
    expect(mapped).toEqual([]);
    expect(chunks.next().value).toBe('    {\n      "n": 1\n    },\n');
    expect(mapped).toEqual([1]);
    expect([...chunks]).toHaveLength(4);
  });
});
