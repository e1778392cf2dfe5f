import { describe, expect, it } from "vitest";
import { listCoveragePolicies, startCoverageCaches } from "../../src/cluster/coverage-cache.js";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { eventually, memoryLogger } from "../support/memory-logger.js";

const CILIUM = { group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true };

describe("the coverage sources' caches", () => {
  it("page through custom-object lists (metadata.continue, not the typed lists' _continue): 1,200 policies, three pages", async () => {
    const api = await startFakeCluster();
    try {
      for (let i = 0; i < 1200; i += 1) api.put(CILIUM, { metadata: { name: `p${String(i)}`, namespace: `ns-${String(i % 400)}` }, spec: { endpointSelector: {}, ingress: [{}] } });
      const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
      if (!config.ok) throw new Error(config.error);
      const caches = await startCoverageCaches(config.value, { sources: ["networking.k8s.io/NetworkPolicy", "cilium.io/CiliumNetworkPolicy"], logger: memoryLogger().logger, retryMs: 100 });
      try {
        await eventually(async () => Promise.resolve(caches.isSynced()), (synced) => synced);
        expect(caches.size()).toBe(1200);
        expect(caches.coveragePolicies("ns-399").policies.map((policy) => policy.display).sort()).toEqual(["CiliumNetworkPolicy ns-399/p1199", "CiliumNetworkPolicy ns-399/p399", "CiliumNetworkPolicy ns-399/p799"]);
        expect(api.requests.filter((request) => /^GET \/apis\/cilium.io\/v2\/ciliumnetworkpolicies\?.*limit=500/.test(request)).length).toBe(3);
      } finally {
        await caches.stop();
      }
      expect((await listCoveragePolicies(config.value, ["cilium.io/CiliumNetworkPolicy"])).policies).toHaveLength(1200);
    } finally {
      await api.close();
    }
  });
});
