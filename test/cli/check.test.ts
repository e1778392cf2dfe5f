import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "./run-cli.js";
import { tempDir } from "../support/temp-dir.js";

const APP = "test/fixtures/check/app.yaml";
const CLEAN = "test/fixtures/check/clean.yaml";

describe("netguard check golden output", () => {
  it.each([
    ["text", [], "check.txt"],
    ["text", ["-v"], "check.verbose.txt"],
    ["json", [], "check.json"],
    ["sarif", [], "check.sarif"],
    ["junit", [], "check.junit.xml"],
  ])("--output %s %j", async (format, flags, golden) => {
    const run = await check(["--output", format, ...flags, APP, CLEAN]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    await expect(run.stdout).toMatchFileSnapshot(`golden/${golden}`);
  });
});

describe("netguard check exit codes and inputs", () => {
  const temp = tempDir("netguard-check-");
  const write = (name: string, text: string): string => {
    const path = join(temp, name);
    writeFileSync(path, text);
    return path;
  };

  it("exits 0 when nothing denies", async () => {
    const run = await check([CLEAN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("2 objects checked: 0 deny, 0 warn, 0 audit, 0 waived, 0 problems\n");
  });

  it("exits 1 on deny findings and 0 when the policy only warns", async () => {
    expect((await check([APP])).code).toBe(1);
    const policy = write("warn.yaml", "rules:\n  host-network: warn\n  host-port: warn\n  tcp-only: warn\n  ingress-policy: warn\n");
    expect((await check(["--policy", policy, APP])).code).toBe(0);
  });

  it("exits 2 on usage errors", async () => {
    expect((await check([])).code).toBe(2);
    expect((await check(["--output", "xml", CLEAN])).code).toBe(2);
    expect((await check(["--bogus", CLEAN])).code).toBe(2);
  });

  it("exits 2 naming the file for a policy whose aliases explode, with no stack trace", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, n) => `b${String(n)}: &${String.fromCharCode(98 + n)} [${Array(10).fill(`*${String.fromCharCode(97 + n)}`).join(", ")}]`)].join("\n");
    const policy = write("bomb-policy.yaml", bomb);
    const run = await check(["--policy", policy, CLEAN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^netguard check: invalid policy:\\n${policy.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1: \\(yaml\\): aliases expand this document to more than 400000 nodes`));
    expect(run.stderr).not.toContain("    at ");
  });

  it("exits 2 with the file, line and key of an invalid policy", async () => {
    const policy = write("bad-policy.yaml", "rules:\n  tcp-only:\n    action: block\n");
    const run = await check(["--policy", policy, CLEAN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${policy}:3: rules.tcp-only.action: "block" is not one of deny, warn, audit, off`);
  });

  it("names the file and line of bad YAML, still checks the other files, and exits 2", async () => {
    const bad = write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: [}\n");
    const run = await check(["--output", "json", bad, APP]);
    expect(run.code).toBe(2);
    const body = JSON.parse(run.stdout);
    expect(body.problems).toEqual([
      { source: { file: bad, line: 5 }, object: null, field: null, message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 16" },
      { source: { file: bad, line: 5 }, object: null, field: null, message: "invalid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 5, column 17" },
    ]);
    // The good file beside it is still checked in full.
    expect(body.summary.deny).toBe(5);
  });

  it("reports a document that is not a Kubernetes object and skips it", async () => {
    const file = write("values.yaml", "replicas: 3\nimage: x\n");
    const run = await check(["--output", "json", file]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).problems).toEqual([
      { source: { file, line: 1 }, object: null, field: null, message: "not a Kubernetes object: apiVersion and kind missing; document skipped" },
    ]);
  });

  it("reports a missing file and exits 2", async () => {
    const run = await check(["--output", "json", join(temp, "nope.yaml")]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).problems[0].message).toBe("no such file or directory");
  });

  it("reads stdin for -, as piped from helm template or kubectl kustomize", async () => {
    const helm = "---\n# Source: chart/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: b}]\n---\n";
    const run = await check(["--output", "json", "-"], helm);
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout);
    // helm's "# Source:" names the template; lines count from the document's first line, as in the template.
    expect(body.findings.map((f: { rule: string; source: unknown }) => [f.rule, f.source])).toEqual([
      ["host-network", { file: "chart/templates/pod.yaml", line: 6 }],
      ["ingress-policy", { file: "chart/templates/pod.yaml", line: 3 }],
    ]);
  });

  it("walks directories recursively and reads .json and *List wrappers", async () => {
    const dir = mkdtempSync(join(temp, "tree-"));
    const nested = join(dir, "nested");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(nested);
    writeFileSync(join(nested, "list.json"), JSON.stringify({ apiVersion: "v1", kind: "ServiceList", items: [{ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 53, protocol: "UDP" }] } }] }));
    writeFileSync(join(dir, "README.md"), "not a manifest");
    const run = await check(["--output", "json", dir]);
    const body = JSON.parse(run.stdout);
    expect(body.findings.map((f: { rule: string; field: string }) => [f.rule, f.field])).toEqual([["tcp-only", "spec.ports[0].protocol"]]);
    expect(body.summary.objects).toBe(1);
  });

  it("gives objects without a namespace the --namespace value", async () => {
    const file = write("nons.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\n");
    const run = await check(["--output", "json", "--namespace", "team-a", file]);
    expect(JSON.parse(run.stdout).findings[0].object.namespace).toBe("team-a");
  });
});
