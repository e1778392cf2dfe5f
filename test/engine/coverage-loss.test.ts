import { describe, expect, it } from "vitest";
import { changesCoverage, podsLosingCoverage } from "../../src/engine/coverage-loss.js";
import { readNetworkPolicy } from "../../src/kube/network-policy.js";
import { kube, networkPolicy } from "../builders.js";

const policy = (name: string, spec: Record<string, unknown>) => readNetworkPolicy(kube(networkPolicy(name, spec, "shop")), "shop");
const podIn = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => kube({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop", labels, ...extra } });

const web = policy("web", { podSelector: { matchLabels: { app: "web" } } });
const all = policy("default-deny", { podSelector: {} });
const egressOnly = policy("egress", { podSelector: {}, policyTypes: ["Egress"] });
const pods = [podIn("web-1", { app: "web" }), podIn("web-2", { app: "web" }), podIn("api-1", { app: "api" }), podIn("web-old", { app: "web" }, { deletionTimestamp: "2026-12-01T00:00:00Z" })];
const names = (list: readonly { ref: { name: string } }[]) => list.map((p) => p.ref.name);

describe("podsLosingCoverage", () => {
  it.each([
    ["deleting the only policy: its non-terminating Pods, not terminating ones", web, undefined, [], ["web-1", "web-2"]],
    ["deleting it while a default-deny remains: none", web, undefined, [all], []],
    ["deleting default-deny while web remains: the Pods only it covered", all, undefined, [web], ["api-1"]],
    ["an Egress-only policy remaining covers nothing", web, undefined, [egressOnly], ["web-1", "web-2"]],
    ["narrowing the selector: the Pods no longer selected", all, policy("default-deny", { podSelector: { matchLabels: { app: "web" } } }), [], ["api-1"]],
    ["turning it into Egress only: all it covered", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }), [], ["web-1", "web-2"]],
    ["the policy itself in the remaining list (the cache still has it) does not count", web, undefined, [web], ["web-1", "web-2"]],
  ])("%s", (_name, before, after, remaining, expected) => {
    expect(names(podsLosingCoverage({ before, after }, remaining, pods))).toEqual(expected);
  });
});

describe("changesCoverage", () => {
  it.each([
    ["a delete of an ingress policy", web, undefined, true],
    ["a delete of an Egress-only policy", egressOnly, undefined, false],
    ["an edit of the ingress rules only", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [] }] }), false],
    ["the same selector written as matchExpressions (no change)", web, policy("web", { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] } }), false],
    ["a narrower selector", all, policy("default-deny", { podSelector: { matchLabels: { app: "web" } } }), true],
    ["dropping Ingress from policyTypes", web, policy("web", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }), true],
    ["an Egress-only policy gaining Ingress", egressOnly, all, false],
  ])("%s", (_name, before, after, expected) => {
    expect(changesCoverage({ before, after })).toBe(expected);
  });
});
