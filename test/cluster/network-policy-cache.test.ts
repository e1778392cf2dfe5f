import { afterEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { createLiveLookup, startNetworkPolicyCache, type NetworkPolicyCache } from "../../src/cluster/network-policy-cache.js";
import { fakePolicy, NETWORK_POLICIES, type FakeKubeApi } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { eventually, memoryLogger } from "../support/memory-logger.js";

const names = (cache: NetworkPolicyCache, namespace: string): string[] => {
  const lookup = cache.networkPolicies(namespace);
  return lookup.verified ? lookup.policies.map((p) => p.name).sort() : [`unverified: ${lookup.reason}`];
};

describe("NetworkPolicy cache over the real client-node informer", () => {
  let api: FakeKubeApi | undefined;
  let cache: NetworkPolicyCache | undefined;
  afterEach(async () => {
    await cache?.stop();
    await api?.close();
    cache = undefined;
    api = undefined;
  });

  const start = async () => {
    api = await startFakeCluster();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "default-deny", { podSelector: {} }));
    api.put(NETWORK_POLICIES, fakePolicy("bank", "web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }));
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    if (!config.ok) throw new Error(config.error);
    const log = memoryLogger("warn");
    cache = startNetworkPolicyCache(config.value, { logger: log.logger, retryMs: 200 });
    return { api, cache, config: config.value };
  };

  it("is unverified until the first list, then answers per namespace with defaulting applied", async () => {
    const { cache } = await start();
    expect(cache.isSynced()).toBe(false);
    expect(names(cache, "shop")[0]).toMatch(/^unverified: /);
    await cache.synced;
    expect(names(cache, "shop")).toEqual(["default-deny"]);
    expect(names(cache, "nowhere")).toEqual([]);
    const bank = cache.networkPolicies("bank");
    expect(bank.verified && bank.policies[0]?.policyTypes).toEqual(["Egress"]);
    expect(cache.size()).toBe(2);
    expect(api?.requests).toContain("GET /apis/networking.k8s.io/v1/networkpolicies?limit=500");
    await eventually(() => api?.requests.some((r) => r.includes("watch=true") && r.includes("allowWatchBookmarks=true")), Boolean);
  });

  it("sees policies created and deleted after the start", async () => {
    const { api, cache } = await start();
    await cache.synced;
    api.put(NETWORK_POLICIES, fakePolicy("shop", "allow-web", { podSelector: { matchLabels: { app: "web" } } }));
    await eventually(() => names(cache, "shop"), (n) => n.length === 2);
    api.remove(NETWORK_POLICIES, "shop", "default-deny");
    expect(await eventually(() => names(cache, "shop"), (n) => n.length === 1)).toEqual(["allow-web"]);
  });

  it("recovers from a cut watch", async () => {
    const { api, cache } = await start();
    await cache.synced;
    await eventually(() => api.watcherCount(), (n) => n > 0);
    api.cutWatches();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "after-cut", { podSelector: {} }));
    expect(await eventually(() => names(cache, "shop"), (n) => n.includes("after-cut"), 10_000)).toContain("after-cut");
  });

  it("relists after 410 Gone", async () => {
    const { api, cache } = await start();
    await cache.synced;
    await eventually(() => api.watcherCount(), (n) => n > 0);
    api.remove(NETWORK_POLICIES, "bank", "web");
    await eventually(() => names(cache, "bank"), (n) => n.length === 0);
    const listsBefore = api.requests.filter((r) => !r.includes("watch=true")).length;
    // Compaction while the watch is down: the reconnect from the old resourceVersion gets 410.
    api.compact();
    api.cutWatches();
    api.put(NETWORK_POLICIES, fakePolicy("bank", "during-gap", { podSelector: {} }), true);
    await eventually(() => names(cache, "bank"), (n) => n.includes("during-gap"), 10_000);
    expect(api.requests.filter((r) => !r.includes("watch=true")).length).toBeGreaterThan(listsBefore);
  });

  it("keeps answering through an API outage and picks up changes made during it", async () => {
    const { api, cache } = await start();
    await cache.synced;
    await api.down();
    expect(names(cache, "shop")).toEqual(["default-deny"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    api.put(NETWORK_POLICIES, fakePolicy("shop", "made-while-down", { podSelector: {} }), true);
    await api.up();
    expect(await eventually(() => names(cache, "shop"), (n) => n.includes("made-while-down"), 15_000)).toContain("made-while-down");
    expect(cache.isSynced()).toBe(true);
  });

  it("live lookup reads one namespace straight from the API server", async () => {
    const { api, config } = await start();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "fresh", { podSelector: {} }), true);
    const lookup = await createLiveLookup(config, 2000)("shop");
    expect(lookup.verified && lookup.policies.map((p) => p.name).sort()).toEqual(["default-deny", "fresh"]);
    expect(api.requests).toContain("GET /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies");
    await api.down();
    const failed = await createLiveLookup(config, 2000)("shop");
    expect(failed.verified).toBe(false);
    await api.up();
  });
});
