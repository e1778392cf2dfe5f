import { expect, it } from "vitest";
import { installCiliumCrds } from "./support/cilium.js";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const NS = "e2e-cilium";
const POLICY = "rules:\n  ingress-policy:\n    sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy]\n";

/** What docs/policy.md tells a platform team to grant when it enables the Cilium sources. */
const RBAC = JSON.stringify({
  apiVersion: "v1",
  kind: "List",
  items: [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "netguard-cilium-reader" },
      rules: [{ apiGroups: ["cilium.io"], resources: ["ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "netguard-cilium-reader" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "netguard-cilium-reader" },
      subjects: [{ kind: "ServiceAccount", name: "netguard-controller", namespace: "netguard-system" }],
    },
  ],
});

const POD = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: NS, labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
const DENY_ALL = JSON.stringify({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "deny-all", namespace: NS }, spec: { endpointSelector: {}, ingress: [{}] } });

describeE2e("serve reads CiliumNetworkPolicies for ingress coverage, live", () => {
  const env = useE2eEnvironment();
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });

  it("with the source enabled: a Pod is denied, a CiliumNetworkPolicy applied covers it at once, its delete uncovers it; the unserved clusterwide kind is shown in metrics", async () => {
    await createNamespace(env.plane(), NS);
    await installCiliumCrds(env.plane(), ["CiliumNetworkPolicy"]);
    expect((await kubectl(["apply", "-f", "-"], RBAC)).code).toBe(0);
    const netguard = await env.restartNetguard({ policy: POLICY });
    const dryRun = () => kubectl(["create", "--dry-run=server", "-f", "-"], POD);
    expect(await dryRun()).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `Error from server (Forbidden): error when creating "STDIN": admission webhook "workloads.netguard.io" denied the request: Pod ${NS}/web violates netguard policy: [ingress-policy] metadata.labels=app=web: ` +
        `no policy of the enabled sources (networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy) isolates pods labelled app=web in namespace "${NS}" for ingress ` +
        "(fix: Add a NetworkPolicy in the same namespace whose podSelector matches the pod labels and whose policyTypes include Ingress (policyTypes omitted counts as Ingress); an empty podSelector {} covers every pod of the namespace.)\n",
    });
    expect(await kubectl(["apply", "-f", "-"], DENY_ALL)).toEqual({ code: 0, stdout: "ciliumnetworkpolicy.cilium.io/deny-all created\n", stderr: "" });
    const admitted = await waitFor("the watch to bring the CiliumNetworkPolicy", async () => {
      const run = await dryRun();
      return run.code === 0 ? run : undefined;
    }, { timeoutMs: 15_000 });
    expect(admitted).toEqual({ code: 0, stdout: "pod/web created (server dry run)\n", stderr: "" });
    const metrics = await (await fetch(`http://127.0.0.1:${String(netguard.healthPort)}/metrics`)).text();
    expect(metrics).toContain('netguard_coverage_source_state{source="cilium.io/CiliumNetworkPolicy"} 1');
    expect(metrics).toContain('netguard_coverage_source_state{source="cilium.io/CiliumClusterwideNetworkPolicy"} -1');
    expect(netguard.lines().some((line) => line["msg"] === "an enabled coverage source is not served by this cluster: it covers nothing" && line["source"] === "cilium.io/CiliumClusterwideNetworkPolicy")).toBe(true);
    expect((await kubectl(["delete", "ciliumnetworkpolicy", "deny-all", "-n", NS])).code).toBe(0);
    await waitFor("the watch to drop the CiliumNetworkPolicy", async () => ((await dryRun()).code === 1 ? true : undefined), { timeoutMs: 15_000 });
  });
});
