import { describe, expect, it } from "vitest";
import type { OwnerChain } from "../../../src/cluster/owner-reader.js";
import type { PodListing } from "../../../src/cluster/pod-metadata-lister.js";
import { inventoryFromObjects, inventoryOf } from "../../../src/engine/inventory.js";
import type { Policy } from "../../../src/policy/policy.js";
import { guardedNetworkPolicy } from "../../../src/engine/coverage-loss.js";
import { readNetworkPolicy } from "../../../src/kube/network-policy.js";
import type { KubeObject } from "../../../src/kube/object.js";
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

const listed = (pods: readonly KubeObject[]): PodListing => ({ ok: true, pods: pods.map((object) => ({ object, hostNetwork: false })) });
const run = async (options: { pods?: PodListing; chain?: OwnerChain; others?: ReturnType<typeof networkPolicy>[]; policy?: ReturnType<typeof policyWith> } = {}): Promise<GuardVerdict> => {
  const others = (options.others ?? []).map((p) => readNetworkPolicy(kube(p), "shop"));
  return guardNetworkPolicy({ change: { before: guardedNetworkPolicy(readNetworkPolicy(kube(webPolicy), "shop")), after: undefined }, policy: ref }, {
    policy: options.policy ?? policyWith({}),
    inventory: inventoryOf([readNetworkPolicy(kube(webPolicy), "shop"), ...others]),
    listPods: () => Promise.resolve(options.pods ?? listed(webPods)),
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
    expect(await run({ pods: listed(pods) })).toEqual({ kind: "kept" });
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
    expect(guardedChange(parsed, policy, () => undefined) !== undefined).toBe(expected);
  });
});

describe("the guard for every enabled source", () => {
  const sources = { sources: ["networking.k8s.io/NetworkPolicy", "cilium.io/CiliumNetworkPolicy", "cilium.io/CiliumClusterwideNetworkPolicy", "projectcalico.org/GlobalNetworkPolicy"] as Policy["rules"]["ingress-policy"]["sources"] };
  const cnp = (spec: Record<string, unknown>, labels: Record<string, string> = {}) => ({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "web-in", namespace: "shop", labels }, spec });
  const ccnp = { apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name: "every-pod" }, spec: { endpointSelector: {}, ingress: [{}] } };
  const webIn = cnp({ endpointSelector: { matchLabels: { app: "web" } }, ingress: [{}] });
  const parse = (review: Record<string, unknown>) => {
    const parsed = parseAdmissionReview(review);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };

  it.each([
    ["a CiliumNetworkPolicy delete, the source enabled", parse(admissionReview(null, { operation: "DELETE", oldObject: webIn })), policyWith({ "ingress-policy": sources }), true],
    ["the same, the source not enabled (it covers nothing there)", parse(admissionReview(null, { operation: "DELETE", oldObject: webIn })), policyWith({}), false],
    ["an edit of its labels only", parse(admissionReview(cnp({ endpointSelector: { matchLabels: { app: "web" } }, ingress: [{}] }, { team: "a" }), { operation: "UPDATE", oldObject: webIn })), policyWith({ "ingress-policy": sources }), false],
    ["an edit of its spec", parse(admissionReview(cnp({ endpointSelector: { matchLabels: { app: "web", tier: "edge" } }, ingress: [{}] }), { operation: "UPDATE", oldObject: webIn })), policyWith({ "ingress-policy": sources }), true],
    ["a delete of one Cilium would refuse (it covered nothing)", parse(admissionReview(null, { operation: "DELETE", oldObject: cnp({ endpointSelector: {} }) })), policyWith({ "ingress-policy": sources }), false],
    ["a clusterwide delete", parse(admissionReview(null, { operation: "DELETE", oldObject: ccnp, namespace: "" })), policyWith({ "ingress-policy": sources }), true],
    ["a NetworkPolicy delete with NetworkPolicy not among the sources", parse(admissionReview(null, { operation: "DELETE", oldObject: webPolicy })), policyWith({ "ingress-policy": { sources: ["cilium.io/CiliumNetworkPolicy"] } }), false],
  ])("guardedChange: %s", (_name, request, policy, expected) => {
    expect(guardedChange(request, policy, () => undefined) !== undefined).toBe(expected);
  });

  const blogPod = kube({ apiVersion: "v1", kind: "Pod", metadata: { name: "blog-0", namespace: "blog", labels: { app: "blog" } } });
  const hostPod = kube({ apiVersion: "v1", kind: "Pod", metadata: { name: "node-agent", namespace: "blog", labels: { app: "agent" } } });
  const listedAll: PodListing = { ok: true, pods: [...webPods.map((object) => ({ object, hostNetwork: false })), { object: blogPod, hostNetwork: false }, { object: hostPod, hostNetwork: true }] };
  const deleteClusterwide = async (policy: Policy, remaining: readonly Record<string, unknown>[] = []) => {
    const request = parse(admissionReview(null, { operation: "DELETE", oldObject: ccnp, namespace: "" }));
    const guarded = guardedChange(request, policy, () => undefined);
    if (guarded === undefined) throw new Error("not guarded");
    const scopes: unknown[] = [];
    const verdict = await guardNetworkPolicy(guarded, {
      policy,
      inventory: inventoryFromObjects([kube(ccnp), ...remaining.map((object) => kube(object, "shop"))], "shop"),
      listPods: (scope) => {
        scopes.push(scope);
        return Promise.resolve(listedAll);
      },
      readOwners: () => Promise.resolve({ owners: [replicaSet(), deployment()], ended: "top" }),
      today: "2026-12-01",
    });
    return { verdict, scopes };
  };

  it("a clusterwide delete lists every namespace's Pods with hostNetwork told apart, and counts what only it covered", async () => {
    const { verdict, scopes } = await deleteClusterwide(policyWith({ "ingress-policy": { ...sources, guard: "deny" } }), [webIn]);
    expect(scopes).toEqual([{ namespace: undefined, hostNetwork: true }]);
    expect(summary(verdict)).toEqual(["deny", 1, ["bare:1"]]);
    if (verdict.kind !== "stranded") throw new Error("expected stranded");
    expect(strandedMessage(verdict)).toBe(
      "deleting CiliumClusterwideNetworkPolicy every-pod would leave 1 non-terminating Pod with no policy of an enabled source isolating it for ingress (Pod blog/blog-0: 1 pod labelled app=blog): add a NetworkPolicy that selects them first, or delete the workloads first",
    );
  });

  it("namespaces where an override turns ingress-policy off do not count", async () => {
    const override: Policy["overrides"][number] = { namespaces: ["blog"], namespaceSelector: undefined, rules: { "ingress-policy": "off" }, reason: undefined };
    const { verdict } = await deleteClusterwide(policyWith({ "ingress-policy": sources }, { overrides: [override] }), [webIn]);
    expect(verdict).toEqual({ kind: "kept" });
  });

  it("a NetworkPolicy delete counts Pods a Cilium policy still covers as covered", async () => {
    const request = parse(admissionReview(null, { operation: "DELETE", oldObject: webPolicy }));
    const policy = policyWith({ "ingress-policy": sources });
    const guarded = guardedChange(request, policy, () => undefined);
    if (guarded === undefined) throw new Error("not guarded");
    const deps = { policy, listPods: () => Promise.resolve(listed(webPods)), readOwners: () => Promise.resolve({ owners: [], ended: "top" as const }), today: "2026-12-01" };
    expect(await guardNetworkPolicy(guarded, { ...deps, inventory: inventoryFromObjects([kube(webPolicy), kube(webIn)], "shop") })).toEqual({ kind: "kept" });
    expect(summary(await guardNetworkPolicy(guarded, { ...deps, inventory: inventoryFromObjects([kube(webPolicy)], "shop") }))).toEqual(["warn", 4, ["bare:4"]]);
  });
});
