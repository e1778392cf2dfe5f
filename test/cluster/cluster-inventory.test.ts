import { describe, expect, it } from "vitest";
import { loadClusterInventory } from "../../src/cluster/cluster-inventory.js";
import { check } from "../cli/run-cli.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakePolicy, NAMESPACES, NETWORK_POLICIES, type FakeResource } from "../support/fake-kube-api.js";
import { tempDir } from "../support/temp-dir.js";
import { startFakeCluster } from "../support/fake-cluster.js";

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1}]}
`;

const CILIUM: FakeResource = { group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true };

describe("netguard check --cluster", () => {
  it("with Cilium enabled, counts the cluster's CiliumNetworkPolicies, and says an enabled kind the cluster does not serve covers nothing", async () => {
    const api = await startFakeCluster();
    try {
      const policy = join(tempDir("netguard-cluster-sources-"), "policy.yaml");
      writeFileSync(policy, "rules:\n  ingress-policy: {sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy]}\n");
      const before = await check(["--output", "json", "--policy", policy, "--cluster", "--kubeconfig", api.kubeconfig, "-"], app, { loadClusterInventory });
      expect(JSON.parse(before.stdout).findings.map((f: { rule: string; message: string }) => [f.rule, f.message])).toEqual([
        ["ingress-policy", 'no policy of the enabled sources (networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy) isolates pods labelled app=web in namespace "shop" for ingress'],
      ]);
      api.put(CILIUM, { metadata: { name: "deny-all", namespace: "shop" }, spec: { endpointSelector: {}, ingress: [{}] } });
      const after = await check(["--output", "json", "--policy", policy, "--cluster", "--kubeconfig", api.kubeconfig, "-"], app, { loadClusterInventory });
      expect([after.code, JSON.parse(after.stdout).findings]).toEqual([0, []]);
      expect(after.stderr).toMatch(/^netguard check: --cluster: enabled coverage source cilium\.io\/CiliumClusterwideNetworkPolicy is not served by this cluster \(ciliumclusterwidenetworkpolicies\.cilium\.io\/v2: HTTP 404.*\): it covers nothing\n$/);
      expect(api.requests).toContain("GET /apis/cilium.io/v2/ciliumnetworkpolicies?limit=500");
    } finally {
      await api.close();
    }
  });

  it("counts the platform team's NetworkPolicies already in the cluster", async () => {
    const api = await startFakeCluster();
    try {
      api.put(NETWORK_POLICIES, fakePolicy("shop", "default-deny", { podSelector: {} }));
      const without = await check(["--output", "json", "-"], app);
      expect(JSON.parse(without.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual(["ingress-policy"]);
      const withCluster = await check(["--output", "json", "--cluster", "--kubeconfig", api.kubeconfig, "-"], app, { loadClusterInventory });
      expect(JSON.parse(withCluster.stdout).findings).toEqual([]);
      expect(withCluster.code).toBe(0);
      expect(api.requests).toContain("GET /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies?limit=500");
    } finally {
      await api.close();
    }
  });

  it("reads the namespaces' labels from the cluster for overrides with a namespaceSelector; the input's Namespace objects come first", async () => {
    const api = await startFakeCluster();
    const policy = join(tempDir("netguard-check-cluster-"), "policy.yaml");
    writeFileSync(policy, "overrides:\n  - namespaceSelector: {matchLabels: {env: dev}}\n    rules: {ingress-policy: warn}\n");
    try {
      api.put(NAMESPACES, { metadata: { name: "shop", labels: { env: "dev" } } });
      const actionOf = async (input: string) => {
        const run = await check(["--output", "json", "--policy", policy, "--cluster", "--kubeconfig", api.kubeconfig, "-"], input, { loadClusterInventory });
        return (JSON.parse(run.stdout) as { findings: { action: string }[] }).findings.map((f) => f.action);
      };
      expect(await actionOf(app)).toEqual(["warn"]);
      expect(await actionOf(`${app}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: prod}}\n`)).toEqual(["deny"]);
    } finally {
      await api.close();
    }
  });

  it("exits 2 when the cluster cannot be read", async () => {
    const api = await startFakeCluster();
    await api.close();
    const run = await check(["--cluster", "--kubeconfig", api.kubeconfig, "-"], app, { loadClusterInventory });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('netguard check: --cluster: cannot list NetworkPolicies in namespace "shop": fetch failed (ECONNREFUSED)\n');
  });
});
