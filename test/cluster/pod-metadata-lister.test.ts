import type { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { createPodMetadataLister, type PodListing, type PodScope } from "../../src/cluster/pod-metadata-lister.js";
import { AUDITED, type FakeKubeApi } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";

const pod = (namespace: string, name: string, hostNetwork = false) => ({ metadata: { name, namespace, labels: { app: name.replace(/-\d+$/, "") }, managedFields: [{ manager: "kubectl" }] }, spec: { hostNetwork, containers: [{ name: "c", image: "pause" }] } });
const configOf = (kubeconfig: string): KubeConfig => {
  const loaded = loadKubeConfig({ kubeconfig, context: undefined });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
};
const names = (listing: PodListing) => (listing.ok ? listing.pods.map(({ object, hostNetwork }) => `${object.ref.namespace ?? ""}/${object.ref.name}${hostNetwork ? " (hostNetwork)" : ""}`) : listing.reason);

describe("createPodMetadataLister", () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
    api.put(AUDITED.Pod!, pod("shop", "web-0"));
    api.put(AUDITED.Pod!, pod("shop", "agent-0", true));
    for (let i = 0; i < 1200; i += 1) api.put(AUDITED.Pod!, pod("blog", `blog-${String(i).padStart(4, "0")}`));
  });
  afterAll(async () => api.close());
  const list = (scope: PodScope, maxPods = 50_000) => {
    const from = api.requests.length;
    const lister = createPodMetadataLister(configOf(api.kubeconfig), { timeoutMs: 5000, maxPods });
    return lister(scope).then((listing) => ({ listing, requests: api.requests.slice(from), accepts: api.accepts.slice(from) }));
  };

  it("one namespace: metadata only, one page, no hostNetwork list unless asked", async () => {
    const { listing, requests, accepts } = await list({ namespace: "shop", hostNetwork: false });
    expect(names(listing)).toEqual(["shop/agent-0", "shop/web-0"]);
    expect(requests).toEqual(["GET /api/v1/namespaces/shop/pods?limit=500"]);
    expect(accepts).toEqual(["application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"]);
    // Only what the guard reads is kept: managedFields are dropped at once.
    expect(listing.ok && listing.pods[0]?.object.body["metadata"]).toEqual({ name: "agent-0", namespace: "shop", labels: { app: "agent" } });
  });

  it("every namespace, hostNetwork told apart: both lists, page by page", async () => {
    const { listing, requests } = await list({ namespace: undefined, hostNetwork: true });
    expect(listing.ok && listing.pods.length).toBe(1202);
    expect(names(listing)).toContain("shop/agent-0 (hostNetwork)");
    expect(names(listing)).toContain("shop/web-0");
    expect([...requests].sort()).toEqual(
      ["GET /api/v1/pods?limit=500", "GET /api/v1/pods?limit=500&continue=500", "GET /api/v1/pods?limit=500&continue=1000", "GET /api/v1/pods?limit=500&fieldSelector=spec.hostNetwork%3Dtrue"].sort(),
    );
  });

  it.each([
    ["more Pods than the bound, in one namespace", { namespace: "blog", hostNetwork: false }, 1000, 'namespace "blog" has more than 1000 Pods'],
    ["more Pods than the bound, cluster-wide", { namespace: undefined, hostNetwork: true }, 1000, "every namespace has more than 1000 Pods"],
    ["a namespace with none", { namespace: "empty", hostNetwork: true }, 50_000, []],
  ])("%s", async (_name, scope, maxPods, expected) => {
    expect(names((await list(scope, maxPods)).listing)).toEqual(expected);
  });

  it("a refused list names where and why", async () => {
    const denied = await startFakeCluster();
    try {
      denied.forbid(AUDITED.Pod!);
      const listing = await createPodMetadataLister(configOf(denied.kubeconfig), { timeoutMs: 5000, maxPods: 10 })({ namespace: undefined, hostNetwork: true });
      expect(listing).toEqual({ ok: false, reason: 'listing Pods in every namespace failed: HTTP 403: pods is forbidden: User "test" cannot list resource "pods" in API group "" at the cluster scope' });
    } finally {
      await denied.close();
    }
  });
});
