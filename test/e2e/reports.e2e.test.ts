import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { createNamespace, installedIdentity, runNetguard } from "./support/netguard.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const CRDS = readFileSync(join(import.meta.dirname, "fixtures", "report-crds.yaml"), "utf8");
/** Not judged at admission (the webhook would deny what this test needs running), audited all the same. */
const NS = "e2e-reports";
const GONE = "e2e-reports-gone";


interface Report {
  readonly metadata: { readonly resourceVersion: string; readonly labels?: Record<string, string>; readonly managedFields?: readonly { readonly manager: string; readonly operation: string }[] };
  readonly summary: Record<string, number>;
  readonly results: readonly { readonly rule: string; readonly result: string; readonly resources: readonly { readonly kind: string; readonly name: string }[] }[];
}

describeE2e("config/reports: netguard audit --write-reports keeps PolicyReports current in the cluster", () => {
  const env = useE2eEnvironment();
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });
  let reporter = "";
  /** One run of the CronJob's command, as its ServiceAccount. */
  const write = (...more: string[]) => runNetguard(["audit", "--kubeconfig", reporter, "--write-reports", ...more]);
  const report = async (kind: string, namespace: string, name = "netguard"): Promise<Report | undefined> => {
    const got = await kubectl(["get", kind, name, "-n", namespace, "-o", "json", "--show-managed-fields"]);
    return got.code === 0 ? (JSON.parse(got.stdout) as Report) : undefined;
  };
  const rulesOf = (found: Report | undefined) => (found?.results ?? []).map((r) => `${r.rule}:${r.resources[0]?.kind ?? ""}/${r.resources[0]?.name ?? ""}`).sort();

  beforeAll(async () => {
    const crds = await kubectl(["apply", "-f", "-"], CRDS);
    expect(crds.stderr).toBe("");
    await kubectl(["wait", "--for=condition=Established", "crd/policyreports.wgpolicyk8s.io", "crd/clusterpolicyreports.wgpolicyk8s.io", "crd/reports.openreports.io", "crd/clusterreports.openreports.io", "--timeout=60s"]);
    reporter = await installedIdentity(env.plane(), ["config/reports"], undefined, "netguard-reporter");
    await createNamespace(env.plane(), NS, { "netguard.io/ignore": "true" });
    await createNamespace(env.plane(), GONE, { "netguard.io/ignore": "true" });
  }, 120_000);

  it("a violating workload appears in its namespace's report, fixing it removes the result, another tool's report is left alone, a namespace with nothing left loses its report", async () => {
    const deployment = (hostNetwork: boolean) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { hostNetwork, containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 8080 }] }] } } },
    });
    const covering = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "web", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [deployment(true), covering] }))).code).toBe(0);
    const udp = { apiVersion: "v1", kind: "Service", metadata: { name: "dns", namespace: GONE }, spec: { ports: [{ port: 53, protocol: "UDP" }] } };
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify(udp))).code).toBe(0);
    // Another tool's report in the same namespace: never read for writing, patched or deleted.
    const theirs = { apiVersion: "wgpolicyk8s.io/v1alpha2", kind: "PolicyReport", metadata: { name: "kyverno-polr", namespace: NS, labels: { "app.kubernetes.io/managed-by": "kyverno" } }, summary: { pass: 1 }, results: [] };
    expect((await kubectl(["apply", "--server-side", "--field-manager=kyverno", "-f", "-"], JSON.stringify(theirs))).code).toBe(0);
    const theirsBefore = await report("policyreport", NS, "kyverno-polr");

    const first = await write();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`applied PolicyReport ${NS}/netguard: 1 fail, 0 warn, 0 error, 0 skip\n`);
    expect(first.stdout).toContain("applied ClusterPolicyReport netguard: 0 fail");
    const written = await report("policyreport", NS);
    expect(rulesOf(written)).toEqual(["host-network:Deployment/web"]);
    expect(written?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "netguard" });
    expect(written?.metadata.managedFields?.map((f) => `${f.manager}/${f.operation}`)).toEqual(["netguard/Apply"]);
    expect(rulesOf(await report("policyreport", GONE))).toEqual(["tcp-only:Service/dns"]);
    expect(await report("clusterpolicyreport", "")).toMatchObject({ results: [] });

    // Fixed: the next run drops the result; the namespace of a deleted Service loses its report.
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify(deployment(false)))).code).toBe(0);
    expect((await kubectl(["delete", "service", "dns", "-n", GONE])).code).toBe(0);
    const second = await write();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`applied PolicyReport ${NS}/netguard: 0 fail, 0 warn, 0 error, 0 skip\n`);
    expect(second.stdout).toContain(`deleted PolicyReport ${GONE}/netguard (nothing audited in its namespace any more)\n`);
    expect(rulesOf(await report("policyreport", NS))).toEqual([]);
    expect(await report("policyreport", GONE)).toBeUndefined();
    const theirsAfter = await report("policyreport", NS, "kyverno-polr");
    expect(theirsAfter?.metadata.resourceVersion).toBe(theirsBefore?.metadata.resourceVersion);
  });

  it("writes openreports.io Reports with --report-api; a report API the cluster does not serve is an error that says what to install", async () => {
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "dns", namespace: GONE }, spec: { ports: [{ port: 53, protocol: "UDP" }] } }))).code).toBe(0);
    const run = await write("--report-api", "openreports.io/v1alpha1");
    expect(run.code).toBe(0);
    expect(rulesOf(await report("reports.openreports.io", GONE))).toEqual(["tcp-only:Service/dns"]);
    expect((await kubectl(["delete", "crd", "clusterreports.openreports.io", "reports.openreports.io"])).code).toBe(0);
    const missing = await write("--report-api", "openreports.io/v1alpha1");
    expect(missing.code).toBe(2);
    // The first report netguard tries (the cluster's) says it, once.
    expect(missing.stderr).toBe("netguard audit: cannot apply ClusterReport netguard: openreports.io/v1alpha1 is not served by this cluster: install its CRDs, or choose another API with --report-api\n");
  });

  it("the reporter may write reports named netguard and nothing else", async () => {
    const can = async (verb: string, resource: string, namespace = NS) =>
      (await kubectl(["auth", "can-i", verb, resource, "-n", namespace, "--as=system:serviceaccount:netguard-system:netguard-reporter"])).stdout.trim();
    expect(await can("patch", "policyreports.wgpolicyk8s.io/netguard")).toBe("yes");
    expect(await can("delete", "policyreports.wgpolicyk8s.io/netguard")).toBe("yes");
    expect(await can("patch", "policyreports.wgpolicyk8s.io/kyverno-polr")).toBe("no");
    expect(await can("delete", "policyreports.wgpolicyk8s.io/kyverno-polr")).toBe("no");
    expect(await can("create", "policyreports.wgpolicyk8s.io")).toBe("no");
    for (const resource of ["deployments", "pods", "configmaps", "secrets", "networkpolicies"]) {
      for (const verb of ["create", "update", "patch", "delete"]) expect(`${verb} ${resource}: ${await can(verb, resource)}`).toBe(`${verb} ${resource}: no`);
    }
  });
});
