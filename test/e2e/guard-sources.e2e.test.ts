import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";
import { installCiliumCrds } from "./support/cilium.js";
import { createNamespace, runNetguard } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";
import { webDeployment } from "./support/web-app.js";

const NS = "e2e-guard-cilium";
const SHIPPED_POLICY = readFileSync(join(import.meta.dirname, "..", "..", "config", "policy", "policy.yaml"), "utf8");
/** The shipped policy with the guard at deny and Cilium's kinds enabled, as docs/policy.md shows. */
const POLICY = SHIPPED_POLICY.replace(
  "whenUnverified: deny}",
  "whenUnverified: deny, guard: deny, sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy]}",
);
const NETWORK_DENIED = 'admission webhook "network.netguard.io" denied the request: ';
const WEB_IN = JSON.stringify({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "web-in", namespace: NS }, spec: { endpointSelector: { matchLabels: { app: "web" } }, ingress: [{ fromEndpoints: [{}] }] } });
const EVERY_POD = JSON.stringify({ apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name: "every-pod" }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ["cluster"] }] } });
const stranded = (what: string): string =>
  `${what} would leave 2 non-terminating Pods with no policy of an enabled source isolating them for ingress (Deployment ${NS}/web: 2 pods labelled app=web): add a NetworkPolicy that selects them first, or delete the workloads first`;

describeE2e("guarding the deletes of Cilium's policies on a real control plane", () => {
  // The install with config/sources/cilium: its reader role, and its webhook rule for Cilium's kinds.
  const env = useE2eEnvironment({ netguard: { policy: POLICY, components: ["config/sources/cilium"] } });
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });

  it("deleting a CiliumNetworkPolicy that isolates running Pods is denied, explain --cluster names it, and a clusterwide policy is guarded across namespaces", async () => {
    await installCiliumCrds(env.plane(), ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]);
    // Restarted once the CRDs are served: the caches find Cilium's kinds at start.
    await env.restartNetguard();
    await createNamespace(env.plane(), NS);
    expect(await kubectl(["apply", "-f", "-"], WEB_IN)).toEqual({ code: 0, stdout: "ciliumnetworkpolicy.cilium.io/web-in created\n", stderr: "" });
    const podDryRun = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "probe", namespace: NS, labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
    await waitFor("the watch to bring the CiliumNetworkPolicy", async () => ((await kubectl(["create", "--dry-run=server", "-f", "-"], podDryRun)).code === 0 ? true : undefined), { timeoutMs: 15_000 });
    expect((await kubectl(["apply", "-f", "-"], webDeployment(NS))).code).toBe(0);
    await waitFor(`2 Pods in ${NS}`, async () => ((await kubectl(["get", "pods", "-n", NS, "-l", "app=web", "-o", "name"])).stdout.trim().split("\n").filter(Boolean).length === 2 ? true : undefined), { timeoutMs: 30_000 });

    const denial = { code: 1, stdout: "", stderr: `Error from server (Forbidden): ${NETWORK_DENIED}${stranded(`deleting CiliumNetworkPolicy ${NS}/web-in`)}\n` };
    expect(await kubectl(["delete", "ciliumnetworkpolicy", "web-in", "-n", NS, "--dry-run=server"])).toEqual(denial);
    expect(await kubectl(["delete", "ciliumnetworkpolicy", "web-in", "-n", NS])).toEqual(denial);
    expect(await kubectl(["get", "ciliumnetworkpolicy", "-n", NS, "-o", "name"])).toEqual({ code: 0, stdout: "ciliumnetworkpolicy.cilium.io/web-in\n", stderr: "" });
    // An edit of its spec that stops selecting them is guarded like a delete; one of its labels is not weighed.
    const narrowed = WEB_IN.replace('{"app":"web"}', '{"app":"web","tier":"edge"}');
    expect(await kubectl(["replace", "-f", "-"], narrowed)).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): error when replacing "STDIN": ${NETWORK_DENIED}${stranded(`this change to CiliumNetworkPolicy ${NS}/web-in`).replace("or delete the workloads first", "or keep this policy selecting them")}\n`,
    });
    expect((await kubectl(["label", "ciliumnetworkpolicy", "web-in", "-n", NS, "team=shop"])).code).toBe(0);

    // explain --cluster names the policy that covers the Deployment.
    const policyFile = join(tempDir("netguard-explain-"), "policy.yaml");
    writeFileSync(policyFile, POLICY);
    const explained = await runNetguard(["explain", "--policy", policyFile, "--cluster", "--kubeconfig", env.plane().kubeconfig, "-n", NS, "deployment/web"]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(`\nIngress: covered: isolated by CiliumNetworkPolicy ${NS}/web-in\n`);
    expect(explained.stdout).toContain(`\n  CiliumNetworkPolicy ${NS}/web-in: isolates ingress\n`);

    // With a clusterwide policy covering every Pod, the namespaced one may go; then the clusterwide one is
    // what isolates them, and its delete (cluster-scoped: every namespace's Pods are listed) is denied.
    expect((await kubectl(["apply", "-f", "-"], EVERY_POD)).code).toBe(0);
    const deleted = await waitFor("the watch to bring the clusterwide policy", async () => {
      const run = await kubectl(["delete", "ciliumnetworkpolicy", "web-in", "-n", NS]);
      return run.code === 0 ? run : undefined;
    }, { timeoutMs: 15_000 });
    expect(deleted.stdout).toBe('ciliumnetworkpolicy.cilium.io "web-in" deleted\n');
    expect(await kubectl(["delete", "ciliumclusterwidenetworkpolicy", "every-pod", "--dry-run=server"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): ${NETWORK_DENIED}${stranded("deleting CiliumClusterwideNetworkPolicy every-pod")}\n`,
    });
    const decision = await waitFor("its decision line", () => env.netguard().decisions().find((line) => line["kind"] === "CiliumClusterwideNetworkPolicy" && line["operation"] === "DELETE"), { timeoutMs: 5000 });
    expect(decision).toMatchObject({ name: "every-pod", decision: "deny", dryRun: true });
  });
});
