import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";

/** The built CLI in a throwaway checkout: a path the input names is opened only inside it. */
const MAIN = join(import.meta.dirname, "..", "..", "dist", "src", "main.js");

const deployment = (annotations = ""): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${annotations}spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: example/web:1
          ports: [{containerPort: 8080, hostPort: 8080}]
`;
const origin = (path: string): string => `  annotations:\n    config.kubernetes.io/origin: |\n      path: ${path}\n`;

/** A checkout and, beside it, a directory outside it holding a file the input may try to name. */
function layout(): { repo: string; outside: string } {
  const base = tempDir("netguard-paths-");
  const repo = join(base, "repo");
  const outside = join(base, "outside");
  for (const [path, text] of Object.entries({ [join(outside, "secret.yaml")]: `# secret\n\n\n\n\n${deployment()}`, [join(repo, "base", "deployment.yaml")]: deployment() })) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  symlinkSync(outside, join(repo, "link"));
  return { repo, outside };
}

type Json = { findings: { rule: string; source: { file: string; line: number } | null }[]; problems: { source: { file: string } | null; message: string }[] };

function check(cwd: string, args: readonly string[], stdin: string): { code: number | null; json: Json } {
  const run = spawnSync(process.execPath, [MAIN, "check", "--output", "json", ...args], { cwd, input: stdin, encoding: "utf8" });
  return { code: run.status, json: JSON.parse(run.stdout) as Json };
}

describe("check opens only files inside the checkout when the input names them", () => {
  it.each([
    ["a kustomize origin climbing out with ..", deployment(origin("../outside/secret.yaml")), "../outside/secret.yaml", "it is outside .", 1],
    ["a kustomize origin at /etc/passwd", deployment(origin("/etc/passwd")), "/etc/passwd", "it is an absolute path (paths from the input are taken relative to the source root only)", 1],
    ["a kustomize origin through a link pointing out", deployment(origin("link/secret.yaml")), "link/secret.yaml", "it is a link pointing outside .", 1],
    ["helm's # Source: as an absolute path", `---\n# Source: /etc/passwd\n${deployment()}`, "/etc/passwd", "it is an absolute path (paths from the input are taken relative to the source root only)", 3],
    ["helm's # Source: climbing out", `---\n# Source: ../../outside/secret.yaml\n${deployment()}`, "../../outside/secret.yaml", "it is outside .", 3],
  ])("%s: not opened, the finding points at the input, a problem says why", (_name, stdin, named, why, line) => {
    const { repo } = layout();
    const run = check(repo, ["--stdin-name", "rendered.yaml", "-"], stdin);
    expect(run.code).toBe(2);
    expect(run.json.findings.map((f) => [f.rule, f.source?.file])).toEqual([
      ["host-port", "rendered.yaml"],
      ["ingress-policy", "rendered.yaml"],
    ]);
    expect(run.json.problems).toEqual([
      { source: { file: "rendered.yaml", line }, object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" }, field: null, message: `not opening ${named}, which the input names as this object's source: ${why}; its findings point at rendered.yaml` },
    ]);
  });

  it("an overlay's bases inside the checkout still map (--source-root is inside the working directory)", () => {
    const { repo } = layout();
    mkdirSync(join(repo, "overlays", "prod"), { recursive: true });
    const run = check(repo, ["--source-root", "overlays/prod", "-"], deployment(origin("../../base/deployment.yaml")));
    expect(run.json.problems).toEqual([]);
    expect(run.json.findings.map((f) => f.source)).toEqual([
      { file: "base/deployment.yaml", line: 13 },
      { file: "base/deployment.yaml", line: 8 },
    ]);
  });

  it("a --source-root outside the working directory is the boundary itself", () => {
    const { repo, outside } = layout();
    const inside = check(repo, ["--source-root", outside, "-"], deployment(origin("secret.yaml")));
    expect(inside.json.problems).toEqual([]);
    expect(inside.json.findings.map((f) => f.source)).toEqual([
      { file: join(outside, "secret.yaml"), line: 18 },
      { file: join(outside, "secret.yaml"), line: 13 },
    ]);
    const escaping = check(repo, ["--source-root", outside, "-"], deployment(origin("../repo/base/deployment.yaml")));
    expect(escaping.json.problems.map((p) => p.message)).toEqual([`not opening ../repo/base/deployment.yaml, which the input names as this object's source: it is outside ../outside; its findings point at <stdin>`]);
  });
});
