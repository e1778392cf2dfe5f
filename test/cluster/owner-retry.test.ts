import { describe, expect, it } from "vitest";
import { createOwnerRetry, podController, RETRY_ANNOTATION, type DeniedOwner } from "../../src/cluster/owner-retry.js";
import type { PolicyLookup } from "../../src/engine/types.js";
import { compileSelector } from "../../src/kube/label-selector.js";
import type { NetworkPolicyFacts } from "../../src/kube/network-policy.js";
import { memoryLogger } from "../support/memory-logger.js";

const owner = (name: string, labels: Record<string, string> = { app: name }, namespace = "shop"): DeniedOwner => ({ namespace, apiVersion: "apps/v1", kind: "ReplicaSet", name, uid: `uid-${name}`, labels });
const policy = (matchLabels: Record<string, string>, policyTypes: ("Ingress" | "Egress")[] = ["Ingress"]): NetworkPolicyFacts => ({
  name: "p",
  namespace: "shop",
  policyTypes,
  policyTypesDefaulted: false,
  podSelector: compileSelector({ matchLabels }, "spec.podSelector"),
});

function harness(options: { limit?: number; ttlMs?: number; fail?: boolean } = {}) {
  let policies: NetworkPolicyFacts[] = [];
  let now = 1_000_000;
  const touched: { name: string; annotation: Readonly<Record<string, string>> }[] = [];
  const results: string[] = [];
  const log = memoryLogger();
  const retry = createOwnerRetry({
    lookup: (): PolicyLookup => ({ verified: true, policies }),
    touch: (o, annotation) => {
      touched.push({ name: o.name, annotation });
      return options.fail ? Promise.reject(new Error("forbidden")) : Promise.resolve();
    },
    logger: log.logger,
    now: () => now,
    onResult: (result) => results.push(result),
    ...options,
  });
  return {
    retry,
    touched,
    results,
    log,
    setPolicies: (next: NetworkPolicyFacts[]) => (policies = next),
    advance: (ms: number) => (now += ms),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("waking controllers whose Pods a new NetworkPolicy covers", () => {
  it.each([
    { name: "a policy selecting the Pods' labels wakes the owner once", policies: [policy({ app: "web" })], woken: ["web"] },
    { name: "an Egress-only policy does not", policies: [policy({ app: "web" }, ["Egress"])], woken: [] },
    { name: "a policy for other labels wakes only their owner", policies: [policy({ app: "api" })], woken: ["api"] },
    { name: "an empty selector covers every Pod of the namespace", policies: [policy({})], woken: ["web", "api"] },
  ])("$name", async ({ policies, woken }) => {
    const h = harness();
    h.retry.remember(owner("web"));
    h.retry.remember(owner("api"));
    h.setPolicies(policies);
    h.retry.policiesChanged("shop");
    h.retry.policiesChanged("shop");
    await settle();
    expect(h.touched.map((t) => t.name)).toEqual(woken);
    for (const t of h.touched) expect(Object.keys(t.annotation)).toEqual([RETRY_ANNOTATION]);
    expect(h.retry.size()).toBe(2 - woken.length);
  });

  it("only owners of the namespace whose policies changed are looked at", async () => {
    const h = harness();
    h.retry.remember(owner("web", { app: "web" }, "other"));
    h.setPolicies([policy({})]);
    h.retry.policiesChanged("shop");
    await settle();
    expect(h.touched).toEqual([]);
  });

  it("keeps at most `limit` owners, forgetting the oldest, and forgets each after ttlMs", async () => {
    const h = harness({ limit: 2, ttlMs: 60_000 });
    h.retry.remember(owner("a"));
    h.retry.remember(owner("b"));
    h.retry.remember(owner("c"));
    expect(h.retry.size()).toBe(2);
    h.setPolicies([policy({})]);
    h.advance(61_000);
    h.retry.remember(owner("d"));
    h.retry.policiesChanged("shop");
    await settle();
    expect(h.touched.map((t) => t.name)).toEqual(["d"]);
  });

  it("a failed touch is counted and logged; the owner then retries on its own backoff", async () => {
    const h = harness({ fail: true });
    h.retry.remember(owner("web"));
    h.setPolicies([policy({ app: "web" })]);
    h.retry.policiesChanged("shop");
    await settle();
    expect(h.results).toEqual(["failed"]);
    expect(h.log.lines().map((l) => l["msg"])).toEqual(["could not wake a controller whose Pods a NetworkPolicy now covers; it retries on its own backoff"]);
  });
});

describe("podController", () => {
  const pod = (ownerReferences: unknown): unknown => ({ metadata: { name: "web-1", labels: { app: "web" }, ownerReferences } });
  it.each([
    { name: "a ReplicaSet controller", refs: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d8", uid: "u1", controller: true }], want: { kind: "ReplicaSet", name: "web-5d8" } },
    { name: "a Job controller", refs: [{ apiVersion: "batch/v1", kind: "Job", name: "j", uid: "u2", controller: true }], want: { kind: "Job", name: "j" } },
    { name: "an owner that is not the controller", refs: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "u3" }], want: undefined },
    { name: "a kind that does not retry Pods", refs: [{ apiVersion: "example.com/v1", kind: "Operator", name: "o", uid: "u4", controller: true }], want: undefined },
    { name: "a known kind in the wrong group", refs: [{ apiVersion: "example.com/v1", kind: "ReplicaSet", name: "o", uid: "u5", controller: true }], want: undefined },
    { name: "no ownerReferences", refs: undefined, want: undefined },
    { name: "garbage", refs: "nope", want: undefined },
  ])("$name", ({ refs, want }) => {
    const found = podController(pod(refs), "shop");
    expect(found === undefined ? undefined : { kind: found.kind, name: found.name }).toEqual(want);
    if (found) expect(found.labels).toEqual({ app: "web" });
  });
});
