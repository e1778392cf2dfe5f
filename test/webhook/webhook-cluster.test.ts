import { afterEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { pod } from "../builders.js";
import { fakePolicy, NETWORK_POLICIES, type FakeKubeApi } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { eventually } from "../support/memory-logger.js";
import { admissionReview } from "../support/reviews.js";
import { startTestWebhook } from "../support/webhook-harness.js";

type Harness = Awaited<ReturnType<typeof startTestWebhook>>;
const allowedOf = (json: unknown): boolean => (json as { response: { allowed: boolean } }).response.allowed;
const messageOf = (json: unknown): string => (json as { response: { status?: { message: string } } }).response.status?.message ?? "";

describe("serve with a cluster", () => {
  let api: FakeKubeApi | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    await api?.close();
    h = undefined;
    api = undefined;
  });

  const start = async (apiUp = true) => {
    api = await startFakeCluster();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "web", { podSelector: { matchLabels: { app: "web" } } }));
    if (!apiUp) await api.down();
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    if (!config.ok) throw new Error(config.error);
    h = await startTestWebhook({ cluster: config.value, cacheRetryMs: 100, liveReadTimeoutMs: 500 });
    return { api, h };
  };
  const webPod = (namespace: string, app = "web") => ({ ...pod("p", undefined, { app }), metadata: { name: "p", namespace, labels: { app } } });

  it("/readyz is 503 until the NetworkPolicy cache syncs, then 200", async () => {
    const { api, h } = await start(false);
    const first = await fetch(`${h.health}/readyz`);
    expect(first.status).toBe(503);
    expect(await first.text()).toBe("not ready: the NetworkPolicy cache has not synced\n");
    await api.up();
    await eventually(async () => (await fetch(`${h.health}/readyz`)).status, (s) => s === 200);
    expect(await (await fetch(`${h.health}/metrics`)).text()).toMatch(/netguard_networkpolicy_cache_synced 1/);
  });

  it("allows a covered Pod and denies an uncovered one from the cache", async () => {
    const { h } = await start();
    await h.webhook.cache?.synced;
    expect(allowedOf((await h.post(admissionReview(webPod("shop")))).json)).toBe(true);
    const denied = (await h.post(admissionReview(webPod("shop", "api")))).json;
    expect(allowedOf(denied)).toBe(false);
    expect(messageOf(denied)).toContain('NetworkPolicy "web" does not select them');
  });

  it("confirms a coverage denial with a live read when the cache lags", async () => {
    const { api, h } = await start();
    await h.webhook.cache?.synced;
    api.put(NETWORK_POLICIES, fakePolicy("fresh", "default-deny", { podSelector: {} }), true);
    expect(allowedOf((await h.post(admissionReview(webPod("fresh")))).json)).toBe(true);
    expect(api.requests).toContain("GET /apis/networking.k8s.io/v1/namespaces/fresh/networkpolicies");
    expect(await (await fetch(`${h.health}/metrics`)).text()).toMatch(/netguard_networkpolicy_live_reads_total\{result="ok"\} 1/);
  });

  it("fails closed, saying so, when the cache has not synced and the live read fails", async () => {
    const { h } = await start(false);
    const json = (await h.post(admissionReview(webPod("shop")))).json;
    expect(allowedOf(json)).toBe(false);
    expect(messageOf(json)).toContain('NetworkPolicy coverage in namespace "shop" cannot be verified: listing NetworkPolicies failed');
  });

  it("host-network decisions keep flowing during an API outage", async () => {
    const { api, h } = await start();
    await h.webhook.cache?.synced;
    await api.down();
    const hostPod = { ...webPod("shop"), spec: { hostNetwork: true, containers: [{ name: "a", image: "b" }] } };
    const json = (await h.post(admissionReview(hostPod))).json;
    expect(allowedOf(json)).toBe(false);
    expect(messageOf(json)).toContain("[host-network]");
    await api.up();
  });
});
