import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { expect, it } from "vitest";
import { createNamespace, kustomizeInstall, runNetguard } from "./support/netguard.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const NS = "e2e-audit";
/** More PodTemplates than one page of the audit's paginated lists (500). */
const TEMPLATES = 520;
/** cert-manager's kinds need cert-manager's CRDs, which this control plane does not have. */
const CERT_MANAGER_KINDS = new Set(["Certificate", "Issuer", "ClusterIssuer"]);


describeE2e("the install, netguard audit and check --cluster against a real API server", () => {
  const env = useE2eEnvironment();
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });

  /** A ServiceAccount bound to a ClusterRole, and a kubeconfig with its token (TokenRequest, as `kubectl create token`). */
  const identity = async (name: string, clusterRole: string): Promise<string> => {
    const created = await kubectl(["create", "serviceaccount", name, "-n", NS]);
    expect(created.code).toBe(0);
    expect((await kubectl(["create", "clusterrolebinding", `${name}-binding`, `--clusterrole=${clusterRole}`, `--serviceaccount=${NS}:${name}`])).code).toBe(0);
    const token = await kubectl(["create", "token", name, "-n", NS]);
    return env.plane().kubeconfigFor(name, token.stdout.trim());
  };

  it("every object of `kubectl kustomize .` but cert-manager's is accepted with --dry-run=server --validate=strict", async () => {
    const objects = parseAllDocuments(await kustomizeInstall(env.plane()))
      .map((doc) => doc.toJS() as { kind: string; metadata: { name: string } })
      .filter((object) => !CERT_MANAGER_KINDS.has(object.kind));
    const run = await kubectl(["apply", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(objects.length);
    // The identity objects already exist (netguard runs as them here); everything else would be created.
    for (const line of lines) expect(line).toMatch(/^\S+ (created|configured|unchanged) \(server dry run\)$/);
    expect(lines.map((line) => line.split(" ")[0])).toEqual(
      objects.map((object) => expect.stringMatching(new RegExp(`/${object.metadata.name}$`)) as unknown as string),
    );
  });

  it("netguard audit with a token bound to the shipped netguard-auditor role reads more than a page; a role missing one kind reports that kind's 403 and audits the rest", async () => {
    await createNamespace(env.plane(), NS);
    const templates = Array.from({ length: TEMPLATES }, (_, i) => ({
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: { name: `t-${String(i)}`, namespace: NS },
      template: { metadata: { labels: { app: "t" } }, spec: { ...(i === 7 ? { hostNetwork: true } : {}), containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } },
    }));
    // The webhook judges PodTemplates too: let them in (the audit is what is under test).
    expect((await kubectl(["label", "namespace", NS, "netguard.io/ignore=true"])).code).toBe(0);
    const created = await kubectl(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: templates }));
    expect(created.code).toBe(0);
    const auditor = await identity("auditor", "netguard-auditor");
    const audit = await runNetguard(["audit", "--kubeconfig", auditor, "--namespace", NS, "--output", "json"]);
    expect(audit.stderr).toBe("");
    expect(audit.code).toBe(1);
    const report = JSON.parse(audit.stdout) as { summary: { objects: number; deny: number; problems: number }; findings: { rule: string; object: { name: string } }[] };
    expect(report.summary.objects).toBe(TEMPLATES);
    expect(report.summary.problems).toBe(0);
    expect(report.findings.filter((f) => f.rule === "host-network").map((f) => f.object.name)).toEqual(["t-7"]);
    // Every template is uncovered: one ingress-policy finding each, from both pages.
    expect(report.findings.filter((f) => f.rule === "ingress-policy")).toHaveLength(TEMPLATES);

    const role = await kubectl(["get", "clusterrole", "netguard-auditor", "-o", "json"]);
    const rules = (JSON.parse(role.stdout) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules.map((rule) =>
      rule.apiGroups.includes("batch") ? { ...rule, resources: rule.resources.filter((r) => r !== "cronjobs") } : rule,
    );
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "auditor-without-cronjobs" }, rules }))).code).toBe(0);
    const partial = await runNetguard(["audit", "--kubeconfig", await identity("partial", "auditor-without-cronjobs"), "--namespace", NS, "--output", "json"]);
    expect(partial.code).toBe(2);
    const partialReport = JSON.parse(partial.stdout) as { summary: { objects: number }; problems: { message: string }[] };
    expect(partialReport.summary.objects).toBe(TEMPLATES);
    expect(partialReport.problems.map((p) => p.message)).toEqual([
      'cannot list cronjobs (batch/v1): HTTP 403: cronjobs.batch is forbidden: User "system:serviceaccount:e2e-audit:partial" cannot list resource "cronjobs" in API group "batch" in the namespace "e2e-audit"; not audited',
    ]);
  });

  it("netguard check --cluster with the auditor's token counts the cluster's NetworkPolicies", async () => {
    const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "t-in", namespace: NS }, spec: { podSelector: { matchLabels: { app: "t" } } } };
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify(policy))).code).toBe(0);
    const token = await kubectl(["create", "token", "auditor", "-n", NS]);
    const kubeconfig = env.plane().kubeconfigFor("auditor-check", token.stdout.trim());
    const manifest = join(env.plane().dir, "app.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(manifest, `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${NS}, labels: {app: t}}\nspec:\n  containers: [{name: c, image: registry.k8s.io/pause:3.10}]\n`);
    expect(await runNetguard(["check", "--output", "json", manifest])).toMatchObject({ code: 1 });
    const checked = await runNetguard(["check", "--cluster", "--kubeconfig", kubeconfig, "--output", "json", manifest]);
    expect(checked.stderr).toBe("");
    expect(checked.code).toBe(0);
    expect((JSON.parse(checked.stdout) as { summary: { findings: number; objects: number } }).summary).toMatchObject({ findings: 0, objects: 1 });
  });
});
