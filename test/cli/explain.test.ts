import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { loadClusterObjects } from "../../src/cluster/cluster-objects.js";
import { runExplain } from "../../src/cli/explain-command.js";
import { AUDITED } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { fakeIo, type CliRun } from "./run-cli.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "explain");
const SHOP = join(FIXTURES, "shop.yaml");
const POLICY = join(FIXTURES, "policy.yaml");
const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "schema", "explain.schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

async function explain(args: string[]): Promise<CliRun> {
  const { io, out } = fakeIo();
  const code = await runExplain(args, { io, loadClusterObjects });
  return { code, ...out() };
}

describe("netguard explain golden output", () => {
  it.each([
    ["text", "explain-open.txt"],
    ["json", "explain-open.json"],
  ])("--output %s: a Deployment isolated, opened by an allow-all, with an exemption, an override and near misses", async (format, golden) => {
    const run = await explain(["--policy", POLICY, "-n", "shop", "--output", format, SHOP, "deployment/web"]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    await expect(run.stdout).toMatchFileSnapshot(`golden/${golden}`);
  });

  it("the JSON is what schema/explain.schema.json describes, and the schema refuses what it should", async () => {
    for (const target of ["deployment/web", "deploy/web"]) {
      const run = await explain(["--policy", POLICY, "-n", "shop", "-o", "json", SHOP, target]);
      expect(validate(JSON.parse(run.stdout)) ? [] : validate.errors).toEqual([]);
    }
    const run = await explain(["-n", "shop", "-o", "json", SHOP, "deployment/web"]);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(validate(document)).toBe(true);
    expect(validate({ ...document, extra: true })).toBe(false);
    expect(validate({ ...document, ingress: { state: "fine", reason: "" } })).toBe(false);
  });

  it("with the default policy the same Deployment is covered for ingress-policy, and explain still says its ingress is open", async () => {
    const run = await explain(["-n", "shop", "-o", "json", SHOP, "deployment/web"]);
    const document = JSON.parse(run.stdout) as { ingress: { state: string }; rules: { rule: string; verdict: string }[] };
    expect(document.ingress.state).toBe("open");
    expect(document.rules.find((rule) => rule.rule === "ingress-policy")?.verdict).toBe("pass");
  });
});

describe("netguard explain refuses what it cannot answer (exit 2, a message naming it)", () => {
  it.each<[string, string[], string]>([
    ["no such object", ["-n", "shop", SHOP, "deployment/api"], 'netguard explain: no Deployment "api" in namespace "shop" (there are shop/web; -n sets the namespace)\n'],
    ["the wrong namespace", [SHOP, "deployment/web"], 'netguard explain: no Deployment "web" in namespace "default" (there are shop/web; -n sets the namespace)\n'],
    ["a kind that runs no pods", ["-n", "shop", SHOP, "service/web"], 'netguard explain: "service" is not a kind that runs pods (pod, deployment, statefulset, daemonset, replicaset, job, cronjob, replicationcontroller, podtemplate)\n'],
    ["not KIND/NAME", ["-n", "shop", SHOP, "web"], 'netguard explain: "web" is not KIND/NAME (deployment/web, pod/debug)\n'],
    ["no input", ["deployment/web"], "netguard explain: no input: name files, directories or - for stdin before KIND/NAME, or use --cluster\n"],
    ["files and the cluster", ["--cluster", SHOP, "deployment/web"], "netguard explain: give PATH... or --cluster, not both\n"],
    ["a bad output", ["-o", "yaml", SHOP, "deployment/web"], 'netguard explain: --output must be text or json, not "yaml"\n'],
  ])("%s", async (_name, args, stderr) => {
    const run = await explain(args);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 2, stdout: "", stderr });
  });

  it("a name carrying terminal escapes is shown escaped", async () => {
    const run = await explain(["-n", "shop", SHOP, "pod/x\u001b[2Ky"]);
    expect(run.stderr).toContain("x\\x1b[2Ky");
  });
});

describe("netguard explain --cluster", () => {
  it("reads the object and every policy from the cluster, typed NetworkPolicy peers included", async () => {
    const api = await startFakeCluster();
    try {
      for (const document of parseAllDocuments(readFileSync(SHOP, "utf8"))) {
        const object = document.toJS() as { kind: string; metadata: { name: string; namespace?: string } };
        if (object.kind === "Namespace") api.put({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, object);
        else if (object.kind === "CiliumNetworkPolicy") api.put({ group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true }, object);
        else api.put(AUDITED[object.kind] ?? AUDITED.Pod!, object);
      }
      // The cluster is asked only for the enabled sources' kinds (those are the reads its RBAC grants).
      const policy = join(FIXTURES, "policy-with-cilium.yaml");
      const fromFiles = await explain(["--policy", policy, "-n", "shop", SHOP, "deployment/web"]);
      const fromCluster = await explain(["--policy", policy, "-n", "shop", "--cluster", "--kubeconfig", api.kubeconfig, "deployment/web"]);
      expect({ code: fromCluster.code, stderr: fromCluster.stderr }).toEqual({ code: 0, stderr: "" });
      // The same answer, the typed client's _from read back as from (from-lb's peers), the override's namespace labels from the cluster.
      expect(fromCluster.stdout).toBe(fromFiles.stdout);
      expect(fromCluster.stdout).toContain("from pods app=lb of namespaces kubernetes.io/metadata.name=ingress; 10.0.0.0/8 except 10.1.0.0/16");
      expect(fromCluster.stdout).toContain("CiliumNetworkPolicy shop/web-l7: isolates ingress");
    } finally {
      await api.close();
    }
  });
});

describe("netguard explain on a field it cannot read", () => {
  it("says it on stderr with the file, line and field, still explains, in the JSON too, and exits 2", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  containers:\n    - name: a\n      image: b\n      ports: [{containerPort: http}]\n";
    const { io, out } = fakeIo(text);
    const code = await runExplain(["-n", "shop", "-o", "json", "-", "pod/web"], { io });
    const { stdout, stderr } = out();
    expect(code).toBe(2);
    expect(stderr).toBe('netguard explain: <stdin>:8: spec.containers[0].ports[0].containerPort: must be an integer, not "http"\n');
    const document = JSON.parse(stdout) as { problems: { field: string; line: number }[] };
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    expect(document.problems.map((problem) => [problem.field, problem.line])).toEqual([["spec.containers[0].ports[0].containerPort", 8]]);
  });
});
