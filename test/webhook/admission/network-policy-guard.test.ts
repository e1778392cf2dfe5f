import { describe, expect, it } from "vitest";
import type { OwnerChain } from "../../../src/cluster/owner-reader.js";
import type { PodListing } from "../../../src/cluster/pod-metadata-lister.js";
import { inventoryOf } from "../../../src/engine/inventory.js";
import { readNetworkPolicy } from "../../../src/kube/network-policy.js";
import { ownerFacts } from "../../../src/kube/owners.js";
import { parseAdmissionReview } from "../../../src/webhook/admission/admission-review.js";
import { guardedResponse, strandedMessage } from "../../../src/webhook/admission/guard-messages.js";
import { guardedChange, guardNetworkPolicy, type GuardVerdict } from "../../../src/webhook/admission/network-policy-guard.js";
import { kube, networkPolicy, policyWith } from "../../builders.js";
import { admissionReview } from "../../support/reviews.js";

const webPolicy = networkPolicy("web-ingress", { podSelector: { matchLabels: { app: "web" } } }, "shop");
const ref = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: "shop", name: "web-ingress" };
const controller = (kind: string, name: string, uid: string) => ({ ownerReferences: [{ apiVersion: kind === "Deployment" || kind === "ReplicaSet" ? "apps/v1" : "v1", kind, name, uid, controller: true }] });
const podOf = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => kube({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop", labels, ...extra } });
const webPods = [
  podOf("web-7d9f-a", { app: "web", "pod-template-hash": "7d9f" }, controller("ReplicaSet", "web-7d9f", "rs-1")),
  podOf("web-7d9f-b", { app: "web", "pod-template-hash": "7d9f" }, controller("ReplicaSet", "web-7d9f", "rs-1")),
  podOf("web-7d9f-c", { app: "web", "pod-template-hash": "7d9f" }, controller("ReplicaSet", "web-7d9f", "rs-1")),
  podOf("debug", { app: "web" }),
];
const replicaSet = (deleting = false) =>
  ownerFacts(kube({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-7d9f", namespace: "shop", uid: "rs-1", ...controller("Deployment", "web", "d-1"), ...(deleting ? { deletionTimestamp: "2026-12-01T00:00:00Z" } : {}) }, spec: { template: { metadata: { labels: { app: "web", "pod-template-hash": "7d9f" } } } } }));
const deployment = (deleting = false) =>
  ownerFacts(kube({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop", uid: "d-1", ...(deleting ? { deletionTimestamp: "2026-12-01T00:00:00Z" } : {}) }, spec: { template: { metadata: { labels: { app: "web" } } } } }));

const run = async (options: { pods?: PodListing; chain?: OwnerChain; others?: ReturnType<typeof networkPolicy>[]; policy?: ReturnType<typeof policyWith> } = {}): Promise<GuardVerdict> => {
  const others = (options.others ?? []).map((p) => readNetworkPolicy(kube(p), "shop"));
  return guardNetworkPolicy({ before: readNetworkPolicy(kube(webPolicy), "shop"), after: undefined }, ref, {
    policy: options.policy ?? policyWith({}),
    inventory: inventoryOf([readNetworkPolicy(kube(webPolicy), "shop"), ...others]),
    listPods: () => Promise.resolve(options.pods ?? { ok: true, pods: webPods }),
    readOwners: () => Promise.resolve(options.chain ?? { owners: [replicaSet(), deployment()], ended: "top" }),
    today: "2026-12-01",
  });
};
const summary = (verdict: GuardVerdict) => (verdict.kind === "stranded" ? [verdict.action, verdict.count, verdict.groups.map((g) => `${g.owner?.kind ?? "bare"}:${String(g.pods.length)}`)] : verdict.kind);

describe("guardNetworkPolicy", () => {
  it.each([
    ["the Pods only this policy covered, by top-level owner; warn by default", {}, ["warn", 4, ["Deployment:3", "bare:1"]]],
    ["another policy still covering them: nothing stranded", { others: [networkPolicy("default-deny", { podSelector: {} }, "shop")] }, "kept"],
    ["a Deployment being deleted: its Pods are a teardown", { chain: { owners: [replicaSet(), deployment(true)], ended: "top" as const } }, ["warn", 1, ["bare:1"]]],
    ["a ReplicaSet being deleted", { chain: { owners: [replicaSet(true)], ended: "top" as const } }, ["warn", 1, ["bare:1"]]],
    ["the Deployment already gone (kubectl delete -f, background propagation)", { chain: { owners: [replicaSet()], ended: "gone" as const } }, ["warn", 1, ["bare:1"]]],
    ["an owner that could not be read: its Pods count", { chain: { owners: [], ended: "unreadable" as const } }, ["warn", 4, ["bare:4"]]],
    ["the guard set to deny", { policy: policyWith({ "ingress-policy": { guard: "deny" } }) }, ["deny", 4, ["Deployment:3", "bare:1"]]],
    ["the guard off", { policy: policyWith({ "ingress-policy": { guard: "off" } }) }, "kept"],
    ["ingress-policy off", { policy: policyWith({ "ingress-policy": { action: "off" } }) }, "kept"],
    [
      "Pods exempt from ingress-policy, directly or through their Deployment",
      { policy: policyWith({}, { exemptions: [{ reason: "r", rules: ["ingress-policy"], namespaces: ["shop"], kinds: ["Deployment"], names: ["web"], expires: undefined }, { reason: "r", rules: undefined, namespaces: undefined, kinds: ["Pod"], names: ["debug"], expires: undefined }] }) },
      "kept",
    ],
    ["an expired exemption does not apply", { policy: policyWith({}, { exemptions: [{ reason: "r", rules: undefined, namespaces: undefined, kinds: ["Pod"], names: ["debug"], expires: "2026-11-30" }] }) }, ["warn", 4, ["Deployment:3", "bare:1"]]],
  ])("%s", async (_name, options, expected) => {
    expect(summary(await run(options))).toEqual(expected);
  });

  it("terminating Pods do not count", async () => {
    const pods = webPods.map((pod) => ({ ...pod, body: { ...pod.body, metadata: { ...(pod.body["metadata"] as object), deletionTimestamp: "2026-12-01T00:00:00Z" } } }));
    expect(await run({ pods: { ok: true, pods } })).toEqual({ kind: "kept" });
  });

  it("Pods that cannot be listed follow whenUnverified: the guard's action, or a warning with allow", async () => {
    const pods: PodListing = { ok: false, reason: 'listing Pods in namespace "shop" failed: HTTP 403: forbidden' };
    expect(await run({ pods, policy: policyWith({ "ingress-policy": { guard: "deny" } }) })).toEqual({ kind: "unverified", action: "deny", policy: ref, deleting: true, reason: pods.reason });
    expect(await run({ pods, policy: policyWith({ "ingress-policy": { guard: "deny", whenUnverified: "allow" } }) })).toMatchObject({ kind: "unverified", action: "allow" });
  });

  it("names the policy, the count and the groups, and says how to proceed", async () => {
    const verdict = await run({ policy: policyWith({ "ingress-policy": { guard: "deny" } }) });
    if (verdict.kind !== "stranded") throw new Error("expected stranded");
    expect(strandedMessage(verdict)).toBe(
      "deleting NetworkPolicy shop/web-ingress would leave 4 non-terminating Pods with no NetworkPolicy isolating them for ingress (Deployment shop/web: 3 pods labelled app=web; Pod shop/debug: 1 pod labelled app=web): add a NetworkPolicy that selects them first, or delete the workloads first",
    );
    expect(guardedResponse("u", { uid: "u", allowed: true }, verdict)).toEqual({ uid: "u", allowed: false, status: { code: 403, reason: "Forbidden", message: strandedMessage(verdict) } });
  });

  it("warns with one line per group within the API server's limits", async () => {
    const verdict = await run();
    expect(guardedResponse("u", { uid: "u", allowed: true }, verdict)).toEqual({
      uid: "u",
      allowed: true,
      warnings: [
        "[ingress-policy] deleting NetworkPolicy shop/web-ingress leaves 4 non-terminating Pods with no NetworkPolicy isolating them for ingress:",
        "[ingress-policy]   Deployment shop/web: 3 pods labelled app=web",
        "[ingress-policy]   Pod shop/debug: 1 pod labelled app=web",
      ],
    });
  });
});

describe("guardedChange", () => {
  const request = (options: Parameters<typeof admissionReview>[1], username = "alice") => {
    const review = admissionReview(null, options) as { request: { userInfo: { username: string } } };
    review.request.userInfo.username = username;
    const parsed = parseAdmissionReview(review);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };
  const policy = policyWith({});
  it.each([
    ["a DELETE by a user", request({ operation: "DELETE", oldObject: webPolicy }), true],
    ["a DELETE by the namespace controller (kubectl delete namespace)", request({ operation: "DELETE", oldObject: webPolicy }, "system:serviceaccount:kube-system:namespace-controller"), false],
    ["a DELETE by the garbage collector", request({ operation: "DELETE", oldObject: webPolicy }, "system:serviceaccount:kube-system:generic-garbage-collector"), false],
    ["a DELETE of an Egress-only policy", request({ operation: "DELETE", oldObject: networkPolicy("e", { podSelector: {}, policyTypes: ["Egress"] }, "shop") }), false],
  ])("%s: %s", (_name, parsed, expected) => {
    expect(guardedChange(parsed, policy) !== undefined).toBe(expected);
  });
});
