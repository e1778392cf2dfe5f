import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runAudit } from "../../src/cli/audit.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AUDITED, NAMESPACES, type FakeKubeApi } from "../support/fake-kube-api.js";
import { tempDir } from "../support/temp-dir.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { at } from "../config/render.js";
import { fakeIo } from "./run-cli.js";

const template = (labels: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: "app", image: "example/app:1", ports: [{ containerPort: 8080 }] }], ...spec },
});
const owned = (uid: string, kind: string, name: string) => ({ ownerReferences: [{ apiVersion: "apps/v1", kind, name, uid, controller: true }] });

/** A small cluster: shop is covered, lab is not; owners and owned objects at every level. */
function fill(api: FakeKubeApi): void {
  api.put(AUDITED.NetworkPolicy!, { metadata: { name: "default-deny", namespace: "shop" }, spec: { podSelector: {} } });
  api.put(AUDITED.Deployment!, { metadata: { name: "web", namespace: "shop", uid: "d-web" }, spec: { selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) } });
  api.put(AUDITED.ReplicaSet!, { metadata: { name: "web-5d4f", namespace: "shop", uid: "rs-web", ...owned("d-web", "Deployment", "web") }, spec: { selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) } });
  for (let i = 0; i < 1200; i += 1) {
    api.put(AUDITED.Pod!, { metadata: { name: `web-5d4f-${String(i)}`, namespace: "shop", labels: { app: "web" }, uid: `p-${String(i)}`, ...owned("rs-web", "ReplicaSet", "web-5d4f") }, spec: template({}).spec });
  }
  api.put(AUDITED.Pod!, { metadata: { name: "debug", namespace: "lab", labels: { app: "debug" }, uid: "p-debug" }, spec: { hostNetwork: true, containers: [{ name: "sh", image: "busybox" }] } });
  api.put(AUDITED.DaemonSet!, { metadata: { name: "agent", namespace: "lab", uid: "ds-agent" }, spec: { selector: { matchLabels: { app: "agent" } }, template: template({ app: "agent" }, { containers: [{ name: "a", image: "x", ports: [{ containerPort: 53, hostPort: 53, protocol: "UDP" }] }] }) } });
  // Owned by a custom resource netguard does not list: reported itself.
  api.put(AUDITED.StatefulSet!, { metadata: { name: "prometheus-k8s", namespace: "shop", uid: "ss-prom", ownerReferences: [{ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", name: "k8s", uid: "cr-1", controller: true }] }, spec: { selector: { matchLabels: { app: "prometheus" } }, template: template({ app: "prometheus" }) } });
  api.put(AUDITED.Service!, { metadata: { name: "dns", namespace: "lab" }, spec: { ports: [{ port: 53, protocol: "UDP" }] } });
}

async function audit(api: FakeKubeApi, args: string[]) {
  const { io, out } = fakeIo();
  const code = await runAudit(["--kubeconfig", api.kubeconfig, ...args], { io });
  return { code, ...out() };
}

describe("netguard audit against a fake API server", () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
    fill(api);
  });
  afterAll(async () => {
    await api.close();
  });

  it("lists with pagination and reports each workload once, at its top-level owner", async () => {
    const run = await audit(api, ["--output", "json"]);
    const body = JSON.parse(run.stdout);
    expect(api.requests.filter((r) => r.startsWith("GET /api/v1/pods?")).map((r) => new URL(r.slice(4), "https://x").searchParams.get("continue"))).toEqual([null, "500", "1000"]);
    const reported = body.findings.map((f: { rule: string; object: { kind: string; namespace: string; name: string } }) => `${f.rule} ${f.object.kind} ${f.object.namespace}/${f.object.name}`);
    expect(reported.sort()).toEqual(
      [
        "host-network Pod lab/debug",
        "ingress-policy Pod lab/debug",
        "host-port DaemonSet lab/agent",
        "tcp-only DaemonSet lab/agent",
        "ingress-policy DaemonSet lab/agent",
        "tcp-only Service lab/dns",
      ].sort(),
    );
    expect(body.summary.objects).toBe(6);
    expect(body.audit.skippedOwned).toBe(1201);
    expect(body.audit.namespaces).toEqual([
      { namespace: "lab", workloads: 2, covered: 0, coveredBy: { "networking.k8s.io/NetworkPolicy": 0 }, findings: { "host-network": 1, "host-port": 1, "tcp-only": 2, "ingress-policy": 2 }, actions: { deny: 6, warn: 0, audit: 0 }, uncoveredPods: 1 },
      { namespace: "shop", workloads: 2, covered: 2, coveredBy: { "networking.k8s.io/NetworkPolicy": 2 }, findings: { "host-network": 0, "host-port": 0, "tcp-only": 0, "ingress-policy": 0 }, actions: { deny: 0, warn: 0, audit: 0 }, uncoveredPods: 0 },
    ]);
    expect(run.code).toBe(1);
  });

  it("audits one namespace with --namespace", async () => {
    const body = JSON.parse((await audit(api, ["--output", "json", "--namespace", "shop"])).stdout);
    expect(body.findings).toEqual([]);
    expect(api.requests).toContain("GET /apis/apps/v1/namespaces/shop/deployments?limit=500");
  });

  it("writes PolicyReports per namespace, ready for kubectl apply", async () => {
    const run = await audit(api, ["--output", "policyreport"]);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as unknown);
    expect(docs.map((d) => [at(d, "kind"), at(d, "metadata.namespace")])).toEqual([
      ["PolicyReport", "lab"],
      ["PolicyReport", "shop"],
    ]);
    const lab = docs[0];
    expect(at(lab, "apiVersion")).toBe("wgpolicyk8s.io/v1alpha2");
    expect(at(lab, "summary")).toEqual({ pass: 0, fail: 6, warn: 0, error: 0, skip: 0 });
    expect(at(lab, "results.0")).toEqual({
      source: "netguard",
      policy: "netguard",
      rule: expect.any(String),
      category: "network",
      result: "fail",
      severity: "high",
      scored: true,
      timestamp: { seconds: expect.any(Number), nanos: 0 },
      message: expect.any(String),
      resources: [{ apiVersion: expect.any(String), kind: expect.any(String), name: expect.any(String), namespace: "lab", uid: expect.any(String) }],
      properties: { resultID: expect.stringMatching(/^[0-9a-f]{16}$/), field: expect.any(String), value: expect.any(String), action: "deny", fix: expect.any(String) },
    });
    // The summary counts the results listed, and nothing else: clean objects are not listed.
    expect(at(docs[1], "summary")).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
    const ids = (at(lab, "results") as { properties: { resultID: string } }[]).map((r) => r.properties.resultID);
    expect(new Set(ids).size).toBe(ids.length);
    // Plain YAML: no anchors or aliases, whatever the results share.
    expect(run.stdout).not.toMatch(/[&*]a\d/);
  });

  it("writes openreports.io/v1alpha1 Reports with --report-api, and refuses sarif for a cluster", async () => {
    const run = await audit(api, ["--output", "policyreport", "--report-api", "openreports.io/v1alpha1"]);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as unknown);
    expect(docs.map((d) => [at(d, "apiVersion"), at(d, "kind"), at(d, "source")])).toEqual([
      ["openreports.io/v1alpha1", "Report", "netguard"],
      ["openreports.io/v1alpha1", "Report", "netguard"],
    ]);
    const sarif = await audit(api, ["--output", "sarif"]);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toContain("netguard audit: --output sarif is for files (netguard check): GitHub code scanning rejects results without a file, and a cluster's objects have none; use --output policyreport (Policy Reporter, kubectl) or json");
    expect((await audit(api, ["--output", "policyreport", "--report-api", "v1"])).code).toBe(2);
    const both = await audit(api, ["--write-reports", "--output", "json"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--write-reports writes the reports to the cluster and prints what it wrote: it takes no --output");
  });

  it("prints a per-namespace coverage table in text output", async () => {
    const run = await audit(api, []);
    expect(run.stdout).toContain("NAMESPACE  WORKLOADS  INGRESS-COVERED  UNCOVERED-PODS  host-network  host-port  tcp-only  ingress-policy");
    expect(run.stdout).toMatch(/shop\s+2\s+2\/2/);
    expect(run.stderr).toBe("");
  });
});

describe("netguard audit: Pods uncovered now (drift since admission)", () => {
  it("counts non-terminating Pods no ingress policy selects, owned ones too, but not terminating or exempt ones; unknown without Pods", async () => {
    const api = await startFakeCluster();
    const policyFile = join(tempDir("netguard-audit-drift-"), "policy.yaml");
    writeFileSync(policyFile, "exemptions:\n  - reason: a node agent\n    kinds: [Pod]\n    names: [agent]\n");
    try {
      api.put(AUDITED.NetworkPolicy!, { metadata: { name: "web", namespace: "shop" }, spec: { podSelector: { matchLabels: { app: "web" } } } });
      const podIn = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) =>
        api.put(AUDITED.Pod!, { metadata: { name, namespace: "shop", labels, ...extra }, spec: { containers: [{ name: "a", image: "b" }] } });
      podIn("web-1", { app: "web" });
      // Its policy was deleted after admission: owned by a ReplicaSet, so not a top-level finding, but counted here.
      podIn("legacy-1", { app: "legacy" }, owned("rs-legacy", "ReplicaSet", "legacy-1a2b"));
      podIn("legacy-2", { app: "legacy" }, { ...owned("rs-legacy", "ReplicaSet", "legacy-1a2b"), deletionTimestamp: "2026-11-24T00:00:00Z" });
      podIn("agent", { app: "agent" });
      const drift = async () => (JSON.parse((await audit(api, ["--output", "json", "--policy", policyFile])).stdout) as { audit: { namespaces: { namespace: string; uncoveredPods: number | null }[] } }).audit.namespaces;
      expect(await drift()).toMatchObject([{ namespace: "shop", uncoveredPods: 1 }]);
      api.forbid(AUDITED.Pod!);
      expect((await drift()).map((n) => n.uncoveredPods)).toEqual([]);
    } finally {
      await api.close();
    }
  });
});

describe("netguard audit: exemptions reach Pods through their owners, page by page", () => {
  it("an exempt Deployment's Pods (through its ReplicaSet) are not counted uncovered; a look-alike ReplicaSet's are", async () => {
    const api = await startFakeCluster();
    const policyFile = join(tempDir("netguard-audit-owners-"), "policy.yaml");
    writeFileSync(policyFile, "exemptions:\n  - reason: a node agent\n    rules: [ingress-policy]\n    kinds: [Deployment]\n    names: [agent]\n");
    try {
      const labels = { app: "agent", "pod-template-hash": "1a2b" };
      api.put(AUDITED.Deployment!, { metadata: { name: "agent", namespace: "ops", uid: "d-agent" }, spec: { selector: { matchLabels: { app: "agent" } }, template: template({ app: "agent" }) } });
      api.put(AUDITED.ReplicaSet!, { metadata: { name: "agent-1a2b", namespace: "ops", uid: "rs-agent", ...owned("d-agent", "Deployment", "agent") }, spec: { selector: { matchLabels: labels }, template: template(labels) } });
      // Not owned by the exempt Deployment: its Pods are not exempt.
      api.put(AUDITED.ReplicaSet!, { metadata: { name: "other-9z", namespace: "ops", uid: "rs-other" }, spec: { selector: { matchLabels: { app: "other" } }, template: template({ app: "other" }) } });
      // More Pods than one page: owners listed before every page of them.
      for (let i = 0; i < 600; i += 1) api.put(AUDITED.Pod!, { metadata: { name: `agent-${String(i)}`, namespace: "ops", labels, ...owned("rs-agent", "ReplicaSet", "agent-1a2b") }, spec: template({}).spec });
      for (let i = 0; i < 3; i += 1) api.put(AUDITED.Pod!, { metadata: { name: `other-${String(i)}`, namespace: "ops", labels: { app: "other" }, ...owned("rs-other", "ReplicaSet", "other-9z") }, spec: template({}).spec });
      const run = await audit(api, ["--output", "json", "--policy", policyFile]);
      const body = JSON.parse(run.stdout) as { findings: { object: { kind: string; name: string } }[]; waived: { object: { name: string } }[]; audit: { skippedOwned: number; namespaces: { namespace: string; uncoveredPods: number | null }[] } };
      expect(body.audit.namespaces).toMatchObject([{ namespace: "ops", uncoveredPods: 3 }]);
      expect(body.audit.skippedOwned).toBe(604);
      expect(body.findings.map((f) => `${f.object.kind}/${f.object.name}`)).toEqual(["ReplicaSet/other-9z"]);
      expect(body.waived.map((w) => w.object.name)).toEqual(["agent"]);
    } finally {
      await api.close();
    }
  });
});

describe("netguard audit when things go wrong", () => {
  it("reports a kind it may not list (403), audits the rest, and exits 2", async () => {
    const api = await startFakeCluster();
    try {
      fill(api);
      api.forbid(AUDITED.CronJob!);
      const run = await audit(api, ["--output", "json"]);
      const body = JSON.parse(run.stdout);
      expect(body.problems).toEqual([
        {
          source: null,
          object: null,
          field: null,
          message: 'cannot list cronjobs (batch/v1): HTTP 403: cronjobs.batch is forbidden: User "test" cannot list resource "cronjobs" in API group "batch" at the cluster scope; not audited',
        },
      ]);
      expect(body.findings.length).toBe(6);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('netguard audit: incomplete: cannot list cronjobs (batch/v1): HTTP 403: cronjobs.batch is forbidden: User "test" cannot list resource "cronjobs" in API group "batch" at the cluster scope; not audited\n');
      // The reports say it too: an error result in the cluster report, counted in its summary.
      const reports = parseAllDocuments((await audit(api, ["--output", "policyreport"])).stdout).map((d) => d.toJS() as unknown);
      const cluster = reports.find((d) => at(d, "kind") === "ClusterPolicyReport");
      expect(at(cluster, "summary")).toEqual({ pass: 0, fail: 0, warn: 0, error: 1, skip: 0 });
      expect(at(cluster, "results.0.result")).toBe("error");
    } finally {
      await api.close();
    }
  });

  it("without NetworkPolicy access, coverage is unknown rather than passed", async () => {
    const api = await startFakeCluster();
    try {
      fill(api);
      api.forbid(AUDITED.NetworkPolicy!);
      const body = JSON.parse((await audit(api, ["--output", "json"])).stdout);
      expect(body.audit.namespaces.find((n: { namespace: string }) => n.namespace === "shop").covered).toBeNull();
      expect(body.findings.filter((f: { rule: string }) => f.rule === "ingress-policy").map((f: { message: string }) => f.message)).toContain(
        'NetworkPolicy coverage in namespace "shop" cannot be verified: NetworkPolicies could not be listed',
      );
    } finally {
      await api.close();
    }
  });

  it("exits 2 with a clear error when the API server cannot be reached", async () => {
    const api = await startFakeCluster();
    await api.close();
    const run = await audit(api, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`netguard audit: cannot reach the API server at ${api.url}: fetch failed (ECONNREFUSED)\n`);
    expect(run.stdout).toBe("");
  });

  it("exits 2 on a bad kubeconfig path or context", async () => {
    const { io, out } = fakeIo();
    expect(await runAudit(["--kubeconfig", "/nonexistent/config"], { io })).toBe(2);
    expect(out().stderr).toMatch(/^netguard audit: cannot load kubeconfig/);
  });
});

describe("netguard audit with per-namespace overrides", () => {
  const policyFile = join(tempDir("netguard-audit-policy-"), "policy.yaml");
  writeFileSync(policyFile, "rules:\n  tcp-only: audit\noverrides:\n  - namespaceSelector: {matchLabels: {env: dev}}\n    rules: {host-network: warn, host-port: warn, ingress-policy: warn}\n    reason: lab is for experiments\n");
  type Body = { findings: { object: { namespace: string }; rule: string; action: string; override: unknown }[]; unappliedOverrides: { namespace: string; why: string }[]; audit: { namespaces: { namespace: string; actions: unknown }[] } };

  it("reads the namespaces' labels from the cluster and counts findings per action after overrides", async () => {
    const api = await startFakeCluster();
    try {
      fill(api);
      api.put(NAMESPACES, { metadata: { name: "lab", labels: { env: "dev" } } });
      api.put(NAMESPACES, { metadata: { name: "shop" } });
      const run = await audit(api, ["--output", "json", "--policy", policyFile]);
      const body = JSON.parse(run.stdout) as Body;
      expect(body.findings.map((f) => [f.object.namespace, f.rule, f.action, f.override])).toEqual([
        // By namespace, kind and name: DaemonSet agent, Pod debug, Service dns.
        ["lab", "host-port", "warn", "lab is for experiments"],
        ["lab", "tcp-only", "audit", null],
        ["lab", "ingress-policy", "warn", "lab is for experiments"],
        ["lab", "host-network", "warn", "lab is for experiments"],
        ["lab", "ingress-policy", "warn", "lab is for experiments"],
        ["lab", "tcp-only", "audit", null],
      ]);
      expect(body.audit.namespaces.map((n) => [n.namespace, n.actions])).toEqual([
        ["lab", { deny: 0, warn: 4, audit: 2 }],
        ["shop", { deny: 0, warn: 0, audit: 0 }],
      ]);
      expect(body.unappliedOverrides).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      await api.close();
    }
  });

  it("when Namespaces may not be listed, the selector override is not applied and the output says why", async () => {
    const api = await startFakeCluster();
    try {
      fill(api);
      api.forbid(NAMESPACES);
      const run = await audit(api, ["--output", "json", "--policy", policyFile]);
      const body = JSON.parse(run.stdout) as Body;
      expect(body.findings.filter((f) => f.override !== null)).toEqual([]);
      expect(body.unappliedOverrides.map((u) => [u.namespace, u.why])).toEqual([
        ["lab", 'listing Namespaces failed: HTTP 403: namespaces is forbidden: User "test" cannot list resource "namespaces" in API group "" at the cluster scope'],
        ["shop", 'listing Namespaces failed: HTTP 403: namespaces is forbidden: User "test" cannot list resource "namespaces" in API group "" at the cluster scope'],
      ]);
      expect(run.code).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("with Cilium enabled: the cluster's CiliumNetworkPolicies count, per kind in every output; an enabled kind the cluster does not serve is said on stderr", async () => {
    const file = join(tempDir("netguard-audit-sources-"), "policy.yaml");
    writeFileSync(file, "rules:\n  ingress-policy: {sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy]}\n");
    const api = await startFakeCluster();
    try {
      fill(api);
      api.put({ group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true }, { metadata: { name: "agents", namespace: "lab" }, spec: { endpointSelector: { matchLabels: { app: "agent" } }, ingress: [{}] } });
      const run = await audit(api, ["--output", "json", "--policy", file]);
      const body = JSON.parse(run.stdout) as { findings: { rule: string; object: { name: string } }[]; audit: { namespaces: { namespace: string; covered: number; coveredBy: Record<string, number> }[] } };
      // The DaemonSet is covered by the CiliumNetworkPolicy; the hostNetwork Pod is not (these kinds never cover hostNetwork pods).
      expect(body.findings.filter((f) => f.rule === "ingress-policy").map((f) => f.object.name)).toEqual(["debug"]);
      expect(body.audit.namespaces.map(({ namespace, covered, coveredBy }) => ({ namespace, covered, coveredBy }))).toEqual([
        { namespace: "lab", covered: 1, coveredBy: { "networking.k8s.io/NetworkPolicy": 0, "cilium.io/CiliumNetworkPolicy": 1, "cilium.io/CiliumClusterwideNetworkPolicy": 0 } },
        { namespace: "shop", covered: 2, coveredBy: { "networking.k8s.io/NetworkPolicy": 2, "cilium.io/CiliumNetworkPolicy": 0, "cilium.io/CiliumClusterwideNetworkPolicy": 0 } },
      ]);
      expect(run.stderr).toMatch(/^netguard audit: enabled coverage source cilium\.io\/CiliumClusterwideNetworkPolicy is not served by this cluster \(.*HTTP 404.*\): it covers nothing\n$/);
      const text = await audit(api, ["--policy", file]);
      expect(text.stdout).toMatch(/NAMESPACE +WORKLOADS +INGRESS-COVERED +COVERED-BY +UNCOVERED-PODS/);
      expect(text.stdout).toMatch(/\nlab +2 +1\/2 +CiliumNetworkPolicy:1 /);
      expect(text.stdout).toMatch(/\nshop +2 +2\/2 +NetworkPolicy:2 /);
      expect(text.stdout).toContain("\nCoverage sources: networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy (not served)\n");
      expect((JSON.parse(run.stdout) as { audit: { sources: unknown } }).audit.sources).toEqual([
        { source: "networking.k8s.io/NetworkPolicy", served: true },
        { source: "cilium.io/CiliumNetworkPolicy", served: true },
        { source: "cilium.io/CiliumClusterwideNetworkPolicy", served: false },
      ]);
    } finally {
      await api.close();
    }
  });
});
