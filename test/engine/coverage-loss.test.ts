import { describe, expect, it } from "vitest";
import { changesNetworkPolicyCoverage, guardedCoveragePolicy, guardedNetworkPolicy, podsLosingCoverage, type CoverageLoss, type GuardedPolicy, type ListedPod } from "../../src/engine/coverage-loss.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import type { Inventory } from "../../src/engine/types.js";
import { readCoveragePolicy } from "../../src/kube/coverage/read-coverage-policy.js";
import { COVERAGE_SOURCES, type CoverageSource } from "../../src/kube/coverage/source.js";
import { readNetworkPolicy } from "../../src/kube/network-policy.js";
import { kube, networkPolicy } from "../builders.js";

const policy = (name: string, spec: Record<string, unknown>) => readNetworkPolicy(kube(networkPolicy(name, spec, "shop")), "shop");
const webSpec = { podSelector: { matchLabels: { app: "web" } } };
const raw = { web: networkPolicy("web", webSpec, "shop"), all: networkPolicy("default-deny", { podSelector: {} }, "shop"), egress: networkPolicy("egress", { podSelector: {}, policyTypes: ["Egress"] }, "shop") };
const podIn = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}, namespace = "shop"): ListedPod => ({
  object: kube({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels, ...extra } }),
  hostNetwork: false,
});
const onHost = (pod: ListedPod): ListedPod => ({ ...pod, hostNetwork: true });

const web = policy("web", webSpec);
const all = policy("default-deny", { podSelector: {} });
const egressOnly = policy("egress", { podSelector: {}, policyTypes: ["Egress"] });
const pods = [podIn("web-1", { app: "web" }), podIn("web-2", { app: "web" }), podIn("api-1", { app: "api" }), podIn("web-old", { app: "web" }, { deletionTimestamp: "2026-12-01T00:00:00Z" })];
const losing = (loss: CoverageLoss) => (loss.kind === "losing" ? loss.pods.map((p) => `${p.ref.namespace ?? ""}/${p.ref.name}`) : loss);

describe("podsLosingCoverage: NetworkPolicies", () => {
  it.each([
    ["deleting the only policy: its non-terminating Pods, not terminating ones", web, undefined, [], ["shop/web-1", "shop/web-2"]],
    ["deleting it while a default-deny remains: none", web, undefined, [raw.all], []],
    ["deleting default-deny while web remains: the Pods only it covered", all, undefined, [raw.web], ["shop/api-1"]],
    ["an Egress-only policy remaining covers nothing", web, undefined, [raw.egress], ["shop/web-1", "shop/web-2"]],
    ["narrowing the selector: the Pods no longer selected", all, policy("default-deny", { podSelector: { matchLabels: { app: "web" } } }), [], ["shop/api-1"]],
    ["turning it into Egress only: all it covered", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }), [], ["shop/web-1", "shop/web-2"]],
    ["the policy itself in the remaining list (the cache still has it) does not count", web, undefined, [raw.web], ["shop/web-1", "shop/web-2"]],
  ])("%s", (_name, before, after, remaining, expected) => {
    const inventory = inventoryFromObjects(remaining.map((object) => kube(object)), "shop");
    const change = { before: guardedNetworkPolicy(before), after: after === undefined ? undefined : guardedNetworkPolicy(after) };
    expect(losing(podsLosingCoverage(change, pods, { inventory, sources: ["networking.k8s.io/NetworkPolicy"] }))).toEqual(expected);
  });

  it("a NetworkPolicy cache that cannot be read makes it unverified, once a Pod would lose this policy", () => {
    const inventory: Inventory = { networkPolicies: () => ({ verified: false, reason: "the NetworkPolicy cache has not synced" }) };
    const change = { before: guardedNetworkPolicy(web), after: undefined };
    expect(podsLosingCoverage(change, pods, { inventory, sources: ["networking.k8s.io/NetworkPolicy"] })).toEqual({ kind: "unverified", reason: "the NetworkPolicy cache has not synced" });
    expect(podsLosingCoverage(change, [podIn("api-1", { app: "api" })], { inventory, sources: ["networking.k8s.io/NetworkPolicy"] })).toEqual({ kind: "losing", pods: [] });
  });
});

const cilium = (name: string, spec: Record<string, unknown>, namespace = "shop") => ({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name, namespace }, spec });
const clusterwide = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name }, spec });
const calico = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name, namespace: "shop" }, spec });
const anp = (name: string, subject: Record<string, unknown>) => ({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name }, spec: { priority: 10, subject, ingress: [{ name: "deny", action: "Deny", from: [{ namespaces: {} }] }] } });
const guarded = (object: Record<string, unknown>): GuardedPolicy => {
  const read = readCoveragePolicy(kube(object, "shop"), "shop", () => undefined);
  if (read === undefined) throw new Error("not a coverage policy");
  return guardedCoveragePolicy(read);
};
const webIn = guarded(cilium("web-in", { endpointSelector: { matchLabels: { app: "web" } }, ingress: [{}] }));
const everyPod = guarded(clusterwide("every-pod", { endpointSelector: {}, ingress: [{}] }));
const ALL: readonly CoverageSource[] = COVERAGE_SOURCES;

describe("podsLosingCoverage: every source", () => {
  const mixed = [podIn("web-1", { app: "web" }), onHost(podIn("web-host", { app: "web" })), podIn("api-1", { app: "api" }), podIn("web-1", { app: "web" }, {}, "blog")];
  it.each([
    ["deleting a CiliumNetworkPolicy: its namespace's Pods, not hostNetwork ones (it never reached them)", webIn, [], ALL, ["shop/web-1"]],
    ["a NetworkPolicy still covering them", webIn, [networkPolicy("web", { podSelector: { matchLabels: { app: "web" } } }, "shop")], ALL, []],
    ["a Calico policy still covering them", webIn, [calico("all", { selector: "all()" })], ALL, []],
    ["an AdminNetworkPolicy still covering them", webIn, [anp("tenants", { namespaces: {} })], ALL, []],
    ["a covering policy of a source not enabled does not count", webIn, [calico("all", { selector: "all()" })], ["networking.k8s.io/NetworkPolicy", "cilium.io/CiliumNetworkPolicy"] as readonly CoverageSource[], ["shop/web-1"]],
    ["a CiliumNetworkPolicy of another namespace does not count", webIn, [cilium("all", { endpointSelector: {}, ingress: [{}] }, "blog")], ALL, ["shop/web-1"]],
    ["deleting a clusterwide policy: the Pods of every namespace it alone covered", everyPod, [cilium("web-in", { endpointSelector: { matchLabels: { app: "web" } }, ingress: [{}] })], ALL, ["shop/api-1", "blog/web-1"]],
  ])("%s", (_name, before, remaining, sources, expected) => {
    const inventory = inventoryFromObjects(remaining.map((object) => kube(object, "shop")), "shop");
    expect(losing(podsLosingCoverage({ before, after: undefined }, mixed, { inventory, sources }))).toEqual(expected);
  });

  it("an edit that keeps selecting them strands none; one that stops selecting them strands them", () => {
    const inventory = inventoryFromObjects([], "shop");
    const widened = guarded(cilium("web-in", { endpointSelector: {}, ingress: [{}] }));
    const narrowed = guarded(cilium("web-in", { endpointSelector: { matchLabels: { app: "web", tier: "edge" } }, ingress: [{}] }));
    const noIngress = guarded(cilium("web-in", { endpointSelector: { matchLabels: { app: "web" } }, egress: [{}] }));
    expect(losing(podsLosingCoverage({ before: webIn, after: widened }, mixed, { inventory, sources: ALL }))).toEqual([]);
    expect(losing(podsLosingCoverage({ before: webIn, after: narrowed }, mixed, { inventory, sources: ALL }))).toEqual(["shop/web-1"]);
    expect(losing(podsLosingCoverage({ before: webIn, after: noIngress }, mixed, { inventory, sources: ALL }))).toEqual(["shop/web-1"]);
  });

  it.each([
    ["the changed policy selects by service account", guarded(cilium("sa", { endpointSelector: { matchLabels: { "io.cilium.k8s.policy.serviceaccount": "web" } }, ingress: [{}] })), [], "CiliumNetworkPolicy shop/sa"],
    ["a Calico serviceAccountSelector", guarded(calico("sa", { selector: "all()", serviceAccountSelector: "projectcalico.org/name == 'web'" })), [], "Calico NetworkPolicy shop/sa"],
    ["a remaining one does, and nothing else covers the Pod", webIn, [calico("sa", { selector: "projectcalico.org/serviceaccount == 'web'" })], "Calico NetworkPolicy shop/sa"],
  ])("unverified when %s: the Pod list does not show service accounts", (_name, before, remaining, named) => {
    const inventory = inventoryFromObjects(remaining.map((object) => kube(object, "shop")), "shop");
    expect(podsLosingCoverage({ before, after: undefined }, mixed, { inventory, sources: ALL })).toEqual({ kind: "unverified", reason: `${named} selects Pods by service account, which the guard's metadata-only Pod list does not show` });
  });

  it("the other sources not read here, or not synced: unverified with the reason", () => {
    const unread: Inventory = { networkPolicies: () => ({ verified: true, policies: [] }) };
    expect(podsLosingCoverage({ before: webIn, after: undefined }, mixed, { inventory: unread, sources: ALL })).toEqual({ kind: "unverified", reason: "the other coverage sources are not read here" });
    const unsynced: Inventory = { ...unread, coveragePolicies: () => ({ policies: [], incomplete: "the cache of cilium.io/CiliumNetworkPolicy has not synced with the API server yet" }) };
    expect(podsLosingCoverage({ before: webIn, after: undefined }, mixed, { inventory: unsynced, sources: ALL })).toEqual({ kind: "unverified", reason: "the cache of cilium.io/CiliumNetworkPolicy has not synced with the API server yet" });
  });
});

describe("changesNetworkPolicyCoverage", () => {
  it.each([
    ["a delete of an ingress policy", web, undefined, true],
    ["a delete of an Egress-only policy", egressOnly, undefined, false],
    ["an edit of the ingress rules only", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [] }] }), false],
    ["the same selector written as matchExpressions (no change)", web, policy("web", { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] } }), false],
    ["a narrower selector", all, policy("default-deny", { podSelector: { matchLabels: { app: "web" } } }), true],
    ["dropping Ingress from policyTypes", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }), true],
    ["an Egress-only policy gaining Ingress", egressOnly, all, false],
  ])("%s", (_name, before, after, expected) => {
    expect(changesNetworkPolicyCoverage(before, after)).toBe(expected);
  });
});
