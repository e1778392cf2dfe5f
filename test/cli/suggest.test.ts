import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { runSuggest } from "../../src/cli/suggest-command.js";
import { readNetworkPolicy } from "../../src/kube/network-policy.js";
import { toKubeObject } from "../../src/kube/object.js";
import { HAS_CORPUS, KUBE_PROMETHEUS, NO_CORPUS } from "../shared-corpus.js";
import { check, fakeIo, type CliRun } from "./run-cli.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const SHOP = join(FIXTURES, "suggest", "uncovered-shop.yaml");
/** As a user names it from the checkout: the golden shows the path it was given, the same in every clone. */
const SHOP_RELATIVE = "test/fixtures/suggest/uncovered-shop.yaml";
const FLAG = join(FIXTURES, "explain", "policy.yaml");

async function suggest(args: string[], stdin = ""): Promise<CliRun> {
  const { io, out } = fakeIo(stdin);
  const code = await runSuggest(args, { io });
  return { code, ...out() };
}

/** The ingress-policy findings check reports on the input plus the suggestions (read from stdin). */
async function remainingAfter(inputs: string[], suggestions: string, policy: string[] = []): Promise<string[]> {
  const run = await check(["--output", "json", ...policy, ...inputs, "-"], suggestions);
  const body = JSON.parse(run.stdout) as { findings: { rule: string; key: string; object: { kind: string; namespace: string; name: string } }[]; problems: unknown[] };
  expect(body.problems).toEqual([]);
  return body.findings.filter((finding) => finding.rule === "ingress-policy").map((finding) => `${finding.object.kind} ${finding.object.namespace}/${finding.object.name}`);
}

/** The objects no policy was suggested for: named in a comment-only document. */
function commentOnly(output: string): string[] {
  return output.split("---\n").filter((document) => document.startsWith("# For ") && !document.includes("\napiVersion:")).map((document) => /^# For (\S+ \S+) /.exec(document)?.[1] ?? "?");
}

/** Every NetworkPolicy suggested, read as the engine reads it. */
function suggested(output: string) {
  return parseAllDocuments(output).flatMap((document) => {
    const value: unknown = document.toJS();
    if (value === null) return [];
    const object = toKubeObject(value, { namespace: "default" });
    if (!object.ok) throw new Error(object.error);
    return [readNetworkPolicy(object.value, "default")];
  });
}

describe("netguard suggest", () => {
  it("golden: one document per workload, each with its comments; none for what no policy can select", async () => {
    const run = await suggest([SHOP_RELATIVE]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    await expect(run.stdout).toMatchFileSnapshot("golden/suggest-uncovered-shop.yaml");
  });

  it("check on the input plus the suggestions finds only what no policy could select", async () => {
    const run = await suggest([SHOP]);
    expect(commentOnly(run.stdout)).toEqual(["Pod shop/debug"]);
    expect(await remainingAfter([SHOP], run.stdout)).toEqual(["Pod shop/debug"]);
  });

  const fixtureFiles = [
    ...readdirSync(join(FIXTURES, "manifests", "ingress-policy")).filter((file) => file.startsWith("fail.")).map((file) => join(FIXTURES, "manifests", "ingress-policy", file)),
    join(FIXTURES, "check", "app.yaml"),
    ...readdirSync(join(FIXTURES, "coverage")).filter((file) => file.startsWith("fail.")).map((file) => join(FIXTURES, "coverage", file)),
  ];
  it.each(fixtureFiles.map((file) => [file.slice(FIXTURES.length + 1), file]))("the project's fixture %s: covered once the suggestions are added", async (_name, file) => {
    const run = await suggest([file]);
    expect(run.code).toBe(0);
    expect(await remainingAfter([file], run.stdout)).toEqual(commentOnly(run.stdout));
  });

  it("never proposes an open-ingress policy, even for Services reached from outside the cluster", async () => {
    const run = await suggest([SHOP]);
    const policies = suggested(run.stdout);
    expect(policies.length).toBe(3);
    expect(policies.map((policy) => policy.opening)).toEqual([undefined, undefined, undefined]);
    // And check agrees with openIngress: flag.
    expect(await remainingAfter([SHOP], run.stdout, ["--policy", FLAG])).toEqual(["Pod shop/debug"]);
  });

  it("an open-ingress finding gets a comment naming the rule to narrow, not a policy", async () => {
    const open = join(FIXTURES, "open-ingress", "fail.networkpolicy-allow-all-beside-default-deny.yaml");
    const run = await suggest(["--policy", FLAG, open]);
    expect(run.stdout).toBe(
      `---\n# For Pod shop/web (${open}:17): no policy to add: ingress to pods labelled app=web in namespace "shop" is open to every source on every port through NetworkPolicy "allow-all" spec.ingress[0] (no from, no ports): narrow its peers or ports; policies are additive, so adding one cannot close it\n`,
    );
  });

  it("says when there is nothing to add, and prints nothing", async () => {
    const run = await suggest([join(FIXTURES, "manifests", "ingress-policy", "pass.default-deny-before.yaml")]);
    expect(run).toEqual({ code: 0, stdout: "", stderr: "netguard suggest: nothing to add: no workload has an ingress-policy finding\n" });
  });

  it("a name that would forge YAML in a comment is shown escaped", async () => {
    const run = await suggest(["-"], 'apiVersion: v1\nkind: Pod\nmetadata: {name: "x\\nkind: Secret", namespace: shop}\nspec: {containers: [{name: a, image: b}]}\n');
    expect(run.stdout).toBe("---\n# For Pod shop/x\\nkind: Secret (<stdin>:1): no policy to add: it has no labels a podSelector could select it by; label its pods, then run netguard suggest again\n");
  });

  it.each<[string, string[], string]>([
    ["no input", [], "netguard suggest: no input: name files, directories or - for stdin, or use --cluster\n"],
    ["files and the cluster", ["--cluster", SHOP], "netguard suggest: give PATH... or --cluster, not both\n"],
  ])("refuses %s (exit 2)", async (_name, args, stderr) => {
    expect(await suggest(args)).toEqual({ code: 2, stdout: "", stderr });
  });
});

if (!HAS_CORPUS) console.warn(NO_CORPUS);

describe.skipIf(!HAS_CORPUS)("netguard suggest on the kube-prometheus manifests without their NetworkPolicies", () => {
  it("suggests a policy for every workload, and check then finds no ingress-policy finding", async () => {
    const files = readdirSync(KUBE_PROMETHEUS).filter((file) => file.endsWith(".yaml") && !file.includes("networkPolicy")).map((file) => join(KUBE_PROMETHEUS, file));
    const before = await remainingAfter(files, "");
    expect(before.length).toBeGreaterThanOrEqual(6);
    const run = await suggest(files);
    expect(run.code).toBe(0);
    expect(commentOnly(run.stdout)).toEqual([]);
    expect(suggested(run.stdout).length).toBe(before.length);
    expect(await remainingAfter(files, run.stdout)).toEqual([]);
  });
});

describe("netguard suggest on a field it cannot read", () => {
  it("says it on stderr with the file, line and field, and exits 2", async () => {
    const run = await suggest(["-"], "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  containers:\n    - name: a\n      image: b\n      ports: [{containerPort: http}]\n");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('netguard suggest: <stdin>:8: spec.containers[0].ports[0].containerPort: must be an integer, not "http"\n');
  });
});

it("unreadable YAML is said with its file and line, one line each (the newline is not escaped)", async () => {
  const run = await suggest(["-"], "a: [unclosed\n");
  expect(run.code).toBe(2);
  expect(run.stderr.split("\n").filter((line) => line !== "")).toHaveLength(2);
  expect(run.stderr).toMatch(/^netguard suggest: <stdin>:\d+: invalid YAML: .+\n/);
});
