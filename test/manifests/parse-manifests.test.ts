import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_BYTES, parseManifests, splitFieldPath } from "../../src/manifests/parse-manifests.js";

describe("parseManifests", () => {
  it("reads multi-document YAML with each document's line, skipping empty documents", () => {
    const parsed = parseManifests("---\n# comment only\n---\na: 1\n---\n\n---\nb: 2\n");
    expect(parsed.documents.map((d) => [d.value, d.line])).toEqual([
      [{ a: 1 }, 4],
      [{ b: 2 }, 8],
    ]);
  });

  it("unwraps kind: List and *List items with their own lines", () => {
    const parsed = parseManifests("apiVersion: v1\nkind: List\nitems:\n  - kind: A\n  - kind: B\n");
    expect(parsed.documents.map((d) => [d.value, d.line])).toEqual([
      [{ kind: "A" }, 4],
      [{ kind: "B" }, 5],
    ]);
  });

  it("flattens Lists inside Lists, as kubectl does, each object keeping its own line", () => {
    const text = "kind: List\nitems:\n  - kind: List\n    items:\n      - {kind: Pod, metadata: {name: a}}\n      - kind: PodList\n        items:\n          - {kind: Pod, metadata: {name: b}}\n  - {kind: Pod, metadata: {name: c}}\n";
    const parsed = parseManifests(text);
    expect(parsed.documents.map((d) => [(d.value as { metadata: { name: string } }).metadata.name, d.line])).toEqual([
      ["a", 5],
      ["b", 8],
      ["c", 9],
    ]);
  });

  it.each([
    { name: "2,000 uses of one anchor (kubectl applies it)", text: `base: &b {app: x}\nitems:\n${"  - *b\n".repeat(2000)}`, ok: true },
    { name: "a billion-laughs bomb", text: ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n"), ok: false },
  ])("aliases: $name", ({ text, ok }) => {
    const parsed = parseManifests(text);
    expect(parsed.errors.length === 0).toBe(ok);
    if (!ok) expect(parsed.errors[0]?.message).toMatch(/^aliases expand this document to more than 400000 nodes \(\d+ written\): refused, as kubectl refuses excessive aliasing$/);
    else expect((parsed.documents[0]?.value as { items: unknown[] }).items).toHaveLength(2000);
  });

  it("reads concatenated and newline-delimited JSON objects as kubectl does, each with its line", () => {
    const parsed = parseManifests('{"kind": "Pod", "metadata": {"name": "a"}}\n{"kind": "Pod",\n "metadata": {"name": "b", "note": "a } and a { in a string"}}\n  {"kind":"Pod","metadata":{"name":"c"}}');
    expect(parsed.errors).toEqual([]);
    expect(parsed.documents.map((d) => [(d.value as { metadata: { name: string } }).metadata.name, d.line])).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 4],
    ]);
    expect(parsed.documents[1]?.fieldLine("metadata.note")).toBe(3);
  });

  it("an unclosed deep flow collection gives a handful of errors, not one per level", () => {
    const parsed = parseManifests(`a: ${"[".repeat(1000)}\n`);
    expect(parsed.errors.length).toBeLessThanOrEqual(6);
    expect(parsed.errors.at(-1)?.message).toMatch(/^and \d+ more YAML errors in this document \(fix the first ones: the rest usually follow from them\)$/);
  });

  it("parses a stream document by document with the same readings and lines as one parse, block scalars with '---' inside quotes included", () => {
    const text = "%YAML 1.1\n---\nkind: A\nnote: |\n  a --- b\n---\nkind: B\n...\nkind: C\n--- {kind: D}\n";
    const parsed = parseManifests(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.documents.map((d) => [(d.value as { kind: string }).kind, d.line])).toEqual([
      ["A", 3],
      ["B", 7],
      ["C", 9],
      ["D", 10],
    ]);
    expect(parsed.documents[0]?.fieldLine("note")).toBe(4);
  });

  it("a document larger than any API server accepts is a problem at its line, never parsed; the others are read", () => {
    const huge = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  blob: "${"x".repeat(MAX_DOCUMENT_BYTES)}"\n`;
    const parsed = parseManifests(`kind: A\n${huge}---\nkind: B\n`);
    expect(parsed.documents.map((d) => [(d.value as { kind: string }).kind, d.line])).toEqual([
      ["A", 1],
      ["B", 9],
    ]);
    expect(parsed.errors).toEqual([{ line: 2, message: `document of ${(huge.length).toLocaleString("en-US")} bytes is larger than any API server accepts (3 MiB request bodies): not checked` }]);
  });

  it("reads YAML 1.1 booleans as kubectl does, and keeps dates as strings", () => {
    const parsed = parseManifests("hostNetwork: yes\ndate: 2026-01-01\n");
    expect(parsed.documents[0]?.value).toEqual({ hostNetwork: true, date: "2026-01-01" });
  });

  it("reports a bad document with its line and keeps the good ones", () => {
    const parsed = parseManifests("a: 1\n---\nb: [\n---\nc: 3\n");
    expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(parsed.errors).toEqual([{ line: 4, message: "Flow sequence in block collection must be sufficiently indented and end with a ] at line 4, column 1" }]);
  });

  it("rejects duplicate keys like kubectl, at the duplicate's line; repeated merge keys are merges, not duplicates", () => {
    expect(parseManifests("kind: Pod\nmetadata:\n  name: a\n  name: b\n").errors).toEqual([{ line: 4, message: 'duplicate key "name" in a mapping (kubectl refuses it)' }]);
    expect(parseManifests("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n").errors).toEqual([]);
  });

  it("a ConfigMap with 200,000 keys is read in one pass (the parser's own duplicate check was quadratic)", () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `  k${String(i)}: v\n`).join("");
    const parsed = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n${keys}  k77: again\n`);
    expect(parsed.errors).toEqual([{ line: 200_005, message: 'duplicate key "k77" in a mapping (kubectl refuses it)' }]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ..."bcdefghi".split("").map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)].join("\n");
    const parsed = parseManifests(bomb);
    expect(parsed.documents).toEqual([]);
    expect(parsed.errors.length).toBe(1);
  });

  it("finds the line of a field, or of its nearest present ancestor", () => {
    const parsed = parseManifests("kind: Pod\nspec:\n  containers:\n    - name: a\n      ports:\n        - containerPort: 80\n");
    const doc = parsed.documents[0];
    expect(doc?.fieldLine("spec.containers[0].ports[0].containerPort")).toBe(6);
    expect(doc?.fieldLine("spec.containers[0].ports[0].protocol")).toBe(6);
    expect(doc?.fieldLine("metadata.labels")).toBe(1);
  });

  it("splits field paths", () => {
    expect(splitFieldPath("spec.template.spec.containers[1].ports[0].protocol")).toEqual(["spec", "template", "spec", "containers", 1, "ports", 0, "protocol"]);
  });
});
