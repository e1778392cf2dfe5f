import { afterEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { networkPolicy, pod } from "../builders.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { AUDITED, fakePolicy, NETWORK_POLICIES, type FakeKubeApi } from "../support/fake-kube-api.js";
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

  const start = async (apiUp = true, policyText = "") => {
    api = await startFakeCluster();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "web", { podSelector: { matchLabels: { app: "web" } } }));
    if (!apiUp) await api.down();
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    if (!config.ok) throw new Error(config.error);
    const policy = parsePolicyText(policyText);
    if (!policy.ok) throw new Error("policy");
    h = await startTestWebhook({ cluster: config.value, cacheRetryMs: 100, liveReadTimeoutMs: 500, policy: policy.value });
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

  it("with Cilium enabled: reads CiliumNetworkPolicies into a cache, and confirms a coverage denial with a live read of them too", async () => {
    const cilium = { group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true };
    api = await startFakeCluster();
    api.put(cilium, { metadata: { name: "deny-all", namespace: "shop" }, spec: { endpointSelector: {}, ingress: [{}] } });
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    const policy = parsePolicyText("rules:\n  ingress-policy: {sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy]}\n");
    if (!config.ok || !policy.ok) throw new Error("setup");
    h = await startTestWebhook({ cluster: config.value, cacheRetryMs: 100, liveReadTimeoutMs: 500, policy: policy.value });
    const harness = h;
    await eventually(async () => (await fetch(`${harness.health}/readyz`)).status, (status) => status === 200);
    expect(allowedOf((await h.post(admissionReview(webPod("shop", "api")))).json)).toBe(true);
    // Stored without a watch event: only the live read can see it.
    api.put(cilium, { metadata: { name: "deny-all", namespace: "fresh" }, spec: { endpointSelector: {}, ingress: [{}] } }, true);
    expect(allowedOf((await h.post(admissionReview(webPod("fresh")))).json)).toBe(true);
    expect(api.requests).toContain("GET /apis/cilium.io/v2/namespaces/fresh/ciliumnetworkpolicies");
    const denied = (await h.post(admissionReview(webPod("other")))).json;
    expect(messageOf(denied)).toContain('no policy of the enabled sources (networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy) isolates pods labelled app=web in namespace "other" for ingress');
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

  describe("guarding NetworkPolicy deletes", () => {
    const deleteReview = (username = "alice") => {
      const review = admissionReview(null, { operation: "DELETE", oldObject: networkPolicy("web", { podSelector: { matchLabels: { app: "web" } } }, "shop") }) as { request: { userInfo: { username: string } } };
      review.request.userInfo.username = username;
      return review;
    };
    const withPods = (api: FakeKubeApi) => {
      api.put(AUDITED.Pod!, { metadata: { name: "web-1", namespace: "shop", labels: { app: "web" } }, spec: { containers: [{ name: "a", image: "b" }] } });
      api.put(AUDITED.Pod!, { metadata: { name: "api-1", namespace: "shop", labels: { app: "api" } }, spec: { containers: [{ name: "a", image: "b" }] } });
    };

    it("warns by default, naming the Pods it strands, from a metadata-only Pod list", async () => {
      const { api, h } = await start();
      withPods(api);
      await h.webhook.cache?.synced;
      const json = (await h.post(deleteReview())).json as { response: { allowed: boolean; warnings?: string[] } };
      expect(json.response).toMatchObject({
        allowed: true,
        warnings: ["[ingress-policy] deleting NetworkPolicy shop/web leaves 1 non-terminating Pod with no NetworkPolicy isolating it for ingress:", "[ingress-policy]   Pod shop/web-1: 1 pod labelled app=web"],
      });
      const listed = api.requests.findIndex((r) => r.startsWith("GET /api/v1/namespaces/shop/pods"));
      expect(api.requests[listed]).toBe("GET /api/v1/namespaces/shop/pods?limit=500");
      // Metadata only: the API server sends PartialObjectMetadata (no specs) when asked so.
      expect(api.accepts[listed]).toBe("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
      expect(await (await fetch(`${h.health}/metrics`)).text()).toMatch(/netguard_guard_decisions_total\{result="stranded",action="warn"\} 1/);
    });

    it("denies under guard: deny, and lets the namespace controller's delete through", async () => {
      const { api, h } = await start(true, "rules:\n  ingress-policy: {guard: deny}\n");
      withPods(api);
      await h.webhook.cache?.synced;
      expect(allowedOf((await h.post(deleteReview())).json)).toBe(false);
      expect(messageOf((await h.post(deleteReview())).json)).toBe(
        "deleting NetworkPolicy shop/web would leave 1 non-terminating Pod with no NetworkPolicy isolating it for ingress (Pod shop/web-1: 1 pod labelled app=web): add a NetworkPolicy that selects them first, or delete the workloads first",
      );
      expect(allowedOf((await h.post(deleteReview("system:serviceaccount:kube-system:namespace-controller"))).json)).toBe(true);
    });

    it("Pods it may not list: the guard's action under whenUnverified deny, saying why", async () => {
      const { api, h } = await start(true, "rules:\n  ingress-policy: {guard: deny}\n");
      api.forbid(AUDITED.Pod!);
      await h.webhook.cache?.synced;
      const json = (await h.post(deleteReview())).json;
      expect(allowedOf(json)).toBe(false);
      expect(messageOf(json)).toBe(
        'netguard cannot tell which Pods deleting NetworkPolicy shop/web would leave without ingress isolation: listing Pods in namespace "shop" failed: HTTP 403: pods is forbidden: User "test" cannot list resource "pods" in API group "" at the cluster scope',
      );
    });
  });
});
