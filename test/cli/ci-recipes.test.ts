import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasKubectl } from "../config/render.js";
import { tempDir } from "../support/temp-dir.js";

/** The CI recipes of docs/check.md, run as written: a shell pipeline, the built CLI, a throwaway repository. */
const MAIN = join(import.meta.dirname, "..", "..", "dist", "src", "main.js");
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: example/web:1
          ports:
            - containerPort: 8080
              hostPort: 8080
`;

function repository(files: Record<string, string>): string {
  const root = tempDir("netguard-recipe-");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Runs a pipeline in the repository; `netguard` is the built CLI on this Node. */
function pipeline(root: string, command: string): { code: number; stdout: string } {
  try {
    const script = `netguard() { "$NETGUARD_NODE" "$NETGUARD_MAIN" "$@"; }\n${command}`;
    return { code: 0, stdout: execFileSync("sh", ["-c", script], { cwd: root, encoding: "utf8", env: { ...process.env, NETGUARD_NODE: process.execPath, NETGUARD_MAIN: MAIN }, stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string };
    return { code: failed.status ?? -1, stdout: failed.stdout ?? "" };
  }
}

type Sarif = { runs: [{ results: { ruleId: string; locations: [{ physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } } }] }[] }] };
const alerts = (text: string) => (JSON.parse(text) as Sarif).runs[0].results.map((r) => [r.ruleId, r.locations[0].physicalLocation?.artifactLocation.uri, r.locations[0].physicalLocation?.artifactLocation.uriBaseId, r.locations[0].physicalLocation?.region?.startLine]);

describe("the CI recipes of docs/check.md give alerts on the repository's own files", () => {
  it.skipIf(!hasKubectl())("kubectl kustomize with originAnnotations | netguard check --source-root OVERLAY --output sarif -", () => {
    const root = repository({
      "base/deployment.yaml": DEPLOYMENT,
      "base/kustomization.yaml": "resources: [deployment.yaml]\n",
      "overlays/prod/kustomization.yaml": "namePrefix: prod-\nnamespace: shop\nresources: [../../base]\nbuildMetadata: [originAnnotations]\n",
    });
    const run = pipeline(root, `kubectl kustomize overlays/prod | netguard check --source-root overlays/prod --output sarif - > netguard.sarif; status=$?; cat netguard.sarif; exit $status`);
    expect(run.code).toBe(1);
    // The base file and the lines of the hostPort and of the template labels in it.
    expect(alerts(run.stdout)).toEqual([
      ["host-port", "base/deployment.yaml", "%SRCROOT%", 17],
      ["ingress-policy", "base/deployment.yaml", "%SRCROOT%", 10],
    ]);
  });

  it("helm template | netguard check --source-root CHARTS --output sarif - (helm's # Source: lines)", () => {
    const rendered = `---\n# Source: web/templates/deployment.yaml\n${DEPLOYMENT}`;
    const root = repository({ "rendered.yaml": rendered });
    const run = pipeline(root, `cat rendered.yaml | netguard check --source-root charts --output sarif -`);
    expect(run.code).toBe(1);
    expect(alerts(run.stdout)).toEqual([
      ["host-port", "charts/web/templates/deployment.yaml", "%SRCROOT%", 17],
      ["ingress-policy", "charts/web/templates/deployment.yaml", "%SRCROOT%", 10],
    ]);
  });

  it("anything else on stdin: --stdin-name names the file", () => {
    const root = repository({ "deploy/app.yaml": DEPLOYMENT });
    const run = pipeline(root, `cat deploy/app.yaml | netguard check --stdin-name deploy/app.yaml --output sarif -`);
    expect(alerts(run.stdout)).toEqual([
      ["host-port", "deploy/app.yaml", "%SRCROOT%", 17],
      ["ingress-policy", "deploy/app.yaml", "%SRCROOT%", 10],
    ]);
  });

  it("a named file holding a render is reported as itself, unless --source-root asks to map it", () => {
    const root = repository({ "rendered/web.yaml": `---\n# Source: web/templates/deployment.yaml\n${DEPLOYMENT}` });
    expect(alerts(pipeline(root, "netguard check --output sarif rendered/web.yaml").stdout)[0]).toEqual(["host-port", "rendered/web.yaml", "%SRCROOT%", 19]);
    expect(alerts(pipeline(root, "netguard check --source-root charts --output sarif rendered/web.yaml").stdout)[0]).toEqual(["host-port", "charts/web/templates/deployment.yaml", "%SRCROOT%", 17]);
  });

  it("netguard check --output junit deploy/ for GitLab: file and line attributes on the repository file", () => {
    const root = repository({ "deploy/app.yaml": DEPLOYMENT });
    const run = pipeline(root, `netguard check --output junit deploy/`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('<testcase classname="netguard.deploy/app_yaml" name="Deployment default/web" file="deploy/app.yaml" line="1" time="0">');
  });
});
