import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";
import { webDeployment as deployment, webIngressPolicy as policy } from "./support/web-app.js";

/** The sortOptions of docs/serve.md ("ingress-policy and apply order"): Namespaces and NetworkPolicies first. */
const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [app.yaml]
sortOptions:
  order: legacy
  legacySortOptions:
    orderFirst: [Namespace, NetworkPolicy]
    orderLast: []
`;

/**
 * When a Deployment's Pods exist, with kube-controller-manager running: measured (and printed for the
 * docs/serve.md and the ADR), never asserted against a clock; the assertions are that they do appear, and
 * that netguard woke the controller where its own backoff would have kept it waiting.
 */
describeE2e("applying a whole app: when do the Pods exist?", () => {
  // The opt-in wake-up (config/wake-controllers: its RBAC and its flag), as a team that wants it installs it.
  const env = useE2eEnvironment({ netguard: { components: ["config/wake-controllers"], args: ["--wake-controllers"] } });
  const kubectl = (args: readonly string[], options: { stdin?: string; cwd?: string } = {}) => env.plane().kubectl(args, options);
  const podsExist = async (ns: string, since: number, timeoutMs: number): Promise<number> =>
    waitFor(
      `2 Pods in ${ns}`,
      async () => {
        const pods = await kubectl(["get", "pods", "-n", ns, "-o", "name"]);
        return pods.stdout.trim().split("\n").filter(Boolean).length >= 2 ? Date.now() - since : undefined;
      },
      { timeoutMs },
    );

  it.each([
    { name: "one kubectl apply -f, Deployment first", text: (ns: string) => `${deployment(ns)}---\n${policy(ns)}` },
    { name: "one kubectl apply -f, NetworkPolicy first", text: (ns: string) => `${policy(ns)}---\n${deployment(ns)}` },
  ])("$name: the Pods exist within seconds", async ({ name, text }) => {
    const ns = name.includes("Deployment first") ? "e2e-order-deploy-first" : "e2e-order-policy-first";
    await createNamespace(env.plane(), ns);
    const dir = join(env.plane().dir, ns);
    mkdirSync(dir);
    writeFileSync(join(dir, "app.yaml"), text(ns));
    const started = Date.now();
    const applied = await kubectl(["apply", "-f", "app.yaml"], { cwd: dir });
    expect(applied.code).toBe(0);
    const after = await podsExist(ns, started, 60_000);
    console.log(`e2e apply order: ${name}: 2 Pods ${String(after)} ms after kubectl apply started`);
  });

  it("kubectl apply -k with the documented sortOptions: the NetworkPolicy goes first, no Pod is ever denied", async () => {
    const ns = "e2e-order-kustomize";
    await createNamespace(env.plane(), ns);
    const dir = join(env.plane().dir, ns);
    mkdirSync(dir);
    writeFileSync(join(dir, "app.yaml"), `${deployment(ns)}---\n${policy(ns)}`);
    writeFileSync(join(dir, "kustomization.yaml"), KUSTOMIZATION);
    const started = Date.now();
    const applied = await kubectl(["apply", "-k", "."], { cwd: dir });
    expect(applied).toMatchObject({ code: 0, stdout: "networkpolicy.networking.k8s.io/web-ingress created\ndeployment.apps/web created\n" });
    // kubectl 1.32 says so (through klog, with a time and its PID) whenever a kustomization sorts for itself.
    expect(applied.stderr).toMatch(
      /^I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ log\.go:\d+\] Warning: Sorting order is set both in 'kustomization\.yaml' \('sortOptions'\) and in a CLI flag \('--reorder'\)\. Using the kustomization file over the CLI flag\.\n$/,
    );
    const after = await podsExist(ns, started, 60_000);
    console.log(`e2e apply order: kubectl apply -k (sortOptions): 2 Pods ${String(after)} ms after kubectl apply started`);
    const failed = await kubectl(["get", "events", "-n", ns, "--field-selector", "reason=FailedCreate", "-o", "name"]);
    expect(failed.stdout).toBe("");
  });

  it("a NetworkPolicy applied long after its Deployment: netguard wakes the ReplicaSet, which would otherwise wait for its next backoff step", async () => {
    const ns = "e2e-order-late-policy";
    await createNamespace(env.plane(), ns);
    const started = Date.now();
    expect((await kubectl(["apply", "-f", "-"], { stdin: deployment(ns) })).code).toBe(0);
    // Let the ReplicaSet's backoff grow: denials at 5 ms × 2^n put its retries ~10 s and ~20 s after the first.
    await new Promise((resolve) => setTimeout(resolve, 22_000));
    const denials = await kubectl(["get", "events", "-n", ns, "--field-selector", "reason=FailedCreate", "-o", "name"]);
    expect(denials.stdout).not.toBe("");
    const policyAt = Date.now();
    expect((await kubectl(["apply", "-f", "-"], { stdin: policy(ns) })).code).toBe(0);
    // Its next retry of its own would be ~41 s after the first denial, about 19 s from now.
    const after = await podsExist(ns, policyAt, 15_000);
    console.log(`e2e apply order: NetworkPolicy ${String(policyAt - started)} ms after the Deployment: 2 Pods ${String(after)} ms after the policy`);
    const rs = await kubectl(["get", "rs", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.annotations.netguard\\.io/coverage-changed-at}"]);
    expect(rs.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const line = await waitFor("netguard's log line", () => env.netguard().lines().find((entry) => entry["msg"] === "a NetworkPolicy now covers a denied controller's Pods: woke the controller"), { timeoutMs: 5000 });
    expect(line).toMatchObject({ namespace: ns, kind: "ReplicaSet" });
  });
});
