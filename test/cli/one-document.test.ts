import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runAudit } from "../../src/cli/audit.js";
import { runVap } from "../../src/cli/vap-command.js";
import { AUDITED, type FakeKubeApi } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { check, fakeIo } from "./run-cli.js";

/** stdout is read whole by a consumer (`| kubectl apply -f -`, an upload, jq): it must be one document of its format. */
type Format = "text" | "json" | "sarif" | "junit" | "policyreport" | "yaml";

function assertOneDocument(format: Format, stdout: string): void {
  expect(stdout).not.toBe("");
  switch (format) {
    case "json":
      expect(() => JSON.parse(stdout) as unknown).not.toThrow();
      return;
    case "sarif": {
      const log = JSON.parse(stdout) as { version?: unknown; runs?: unknown };
      expect(log.version).toBe("2.1.0");
      expect(Array.isArray(log.runs)).toBe(true);
      return;
    }
    case "junit": {
      // One XML declaration, one root element, nothing after its end tag.
      expect(stdout.match(/<\?xml/g)).toHaveLength(1);
      const root = /^<\?xml[^>]*\?>\s*<([A-Za-z]+)[\s>]/.exec(stdout)?.[1];
      expect(root).toBe("testsuites");
      expect(stdout.match(/<\/testsuites>/g)).toHaveLength(1);
      expect(stdout.trimEnd().endsWith("</testsuites>")).toBe(true);
      return;
    }
    case "policyreport":
    case "yaml": {
      const documents = parseAllDocuments(stdout);
      expect(documents.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
      const kinds = new Set(documents.map((d) => (d.toJS() as { kind?: unknown } | null)?.kind));
      const allowed = format === "policyreport" ? ["PolicyReport", "ClusterPolicyReport"] : ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];
      expect([...kinds].filter((kind) => !allowed.includes(String(kind)))).toEqual([]);
      return;
    }
    case "text":
      // Text is for people: none of the machine formats leaks into it.
      expect(stdout).not.toMatch(/<\?xml|^\s*[{[]|^apiVersion: /m);
      return;
  }
}

const MANIFEST = `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: lab}
spec:
  hostNetwork: true
  containers: [{name: sh, image: busybox, ports: [{containerPort: 53, protocol: UDP}]}]
`;

describe("every front door writes exactly one document of the chosen format to stdout", () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
    api.put(AUDITED.Pod!, { metadata: { name: "debug", namespace: "lab", labels: { app: "debug" }, uid: "p-debug" }, spec: { hostNetwork: true, containers: [{ name: "sh", image: "busybox" }] } });
    api.put(AUDITED.Service!, { metadata: { name: "dns", namespace: "lab" }, spec: { ports: [{ port: 53, protocol: "UDP" }] } });
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(["text", "json", "sarif", "junit"] as const)("check --output %s", async (format) => {
    const run = await check(["--output", format, "--stdin-name", "app.yaml", "-"], MANIFEST);
    expect(run.code).toBe(1);
    assertOneDocument(format, run.stdout);
  });

  it.each(["text", "json", "junit", "policyreport"] as const)("audit --output %s", async (format) => {
    const { io, out } = fakeIo();
    expect(await runAudit(["--kubeconfig", api.kubeconfig, "--output", format], { io })).toBe(1);
    assertOneDocument(format, out().stdout);
  });

  it("audit --output policyreport --report-api openreports.io/v1alpha1", async () => {
    const { io, out } = fakeIo();
    await runAudit(["--kubeconfig", api.kubeconfig, "--output", "policyreport", "--report-api", "openreports.io/v1alpha1"], { io });
    const kinds = parseAllDocuments(out().stdout).map((d) => (d.toJS() as { apiVersion: string; kind: string }));
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.filter((k) => !["openreports.io/v1alpha1 Report", "openreports.io/v1alpha1 ClusterReport"].includes(`${k.apiVersion} ${k.kind}`))).toEqual([]);
  });

  it.each(["yaml", "json"] as const)("vap --output %s", async (format) => {
    const { io, out } = fakeIo();
    expect(await runVap(["--output", format], io)).toBe(0);
    assertOneDocument(format, out().stdout);
  });
});
