import { describe, expect, it } from "vitest";
import { inventoryOf } from "../../src/engine/inventory.js";
import type { Inventory } from "../../src/engine/types.js";
import { deployment, networkPolicy, pod, policyWith } from "../builders.js";
import { evaluateManifests } from "../evaluate-helper.js";

const web = pod("web", undefined, { app: "web", tier: "frontend" });
const covered = (manifests: unknown[]): boolean => !evaluateManifests(manifests).findings.some((f) => f.rule === "ingress-policy");

describe("ingress-policy coverage", () => {
  it.each([
    ["an empty podSelector with Ingress", [networkPolicy("all", { podSelector: {}, policyTypes: ["Ingress"] })], true],
    ["an absent podSelector (decodes to {})", [networkPolicy("all", { policyTypes: ["Ingress"] })], true],
    ["policyTypes absent: Ingress by default", [networkPolicy("np", { podSelector: { matchLabels: { app: "web" } } })], true],
    ["policyTypes absent with only egress rules: still Ingress", [networkPolicy("np", { podSelector: {}, egress: [{}] })], true],
    ["policyTypes empty list: defaulted to Ingress", [networkPolicy("np", { podSelector: {}, policyTypes: [] })], true],
    ["a deny-all ingress policy (no rules)", [networkPolicy("deny", { podSelector: {}, policyTypes: ["Ingress"], ingress: [] })], true],
    ["Egress-only policy", [networkPolicy("eg", { podSelector: {}, policyTypes: ["Egress"] })], false],
    ["Ingress and Egress", [networkPolicy("both", { podSelector: {}, policyTypes: ["Egress", "Ingress"] })], true],
    ["a selector that differs in value", [networkPolicy("np", { podSelector: { matchLabels: { app: "api" } } })], false],
    ["matchExpressions In", [networkPolicy("np", { podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }] } })], true],
    ["matchExpressions NotIn on an absent key", [networkPolicy("np", { podSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["x"] }] } })], true],
    ["matchExpressions DoesNotExist on a present key", [networkPolicy("np", { podSelector: { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] } })], false],
    ["a policy in another namespace", [networkPolicy("np", { podSelector: {} }, "other")], false],
    ["no policies at all", [], false],
    ["an invalid selector does not cover, and does not crash", [networkPolicy("bad", { podSelector: { matchExpressions: [{ key: "app", operator: "In" }] } })], false],
    ["one egress-only and one ingress policy", [networkPolicy("eg", { podSelector: {}, policyTypes: ["Egress"] }), networkPolicy("in", { podSelector: { matchLabels: { tier: "frontend" } } })], true],
  ])("%s → covered=%s", (_name, policies, expected) => {
    expect(covered([web, ...policies])).toBe(expected);
  });

  it("uses the pod template labels of a workload, not the workload's own labels", () => {
    const d = deployment("d", undefined, { app: "tmpl" });
    const withOwnLabels = { ...d, metadata: { name: "d", namespace: "default", labels: { app: "own" } } };
    expect(covered([withOwnLabels, networkPolicy("np", { podSelector: { matchLabels: { app: "tmpl" } } })])).toBe(true);
    expect(covered([withOwnLabels, networkPolicy("np", { podSelector: { matchLabels: { app: "own" } } })])).toBe(false);
  });

  it("counts policies that appear after the workload in the input", () => {
    expect(covered([networkPolicy("later", { podSelector: {} }), web].reverse())).toBe(true);
  });
});

describe("ingress-policy near misses", () => {
  it("explains Egress-only policies and selectors that differ, naming the label", () => {
    const report = evaluateManifests([
      web,
      networkPolicy("egress-only", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] }),
      networkPolicy("api-only", { podSelector: { matchLabels: { app: "api" } } }),
      networkPolicy("needs-team", { podSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "team", operator: "Exists" }] } }),
    ]);
    const finding = report.findings.find((f) => f.rule === "ingress-policy");
    expect(finding?.field).toBe("metadata.labels");
    expect(finding?.message).toBe('no NetworkPolicy with Ingress in its policyTypes selects pods labelled app=web,tier=frontend in namespace "default"');
    expect(finding?.details).toEqual([
      'NetworkPolicy "egress-only" selects these pods but its policyTypes are [Egress] (no Ingress)',
      'NetworkPolicy "api-only" does not select them: it needs app=api (pod has app=web)',
      'NetworkPolicy "needs-team" does not select them: it needs team (pod has no label team)',
    ]);
  });

  it("reports the invalid selector both as a near miss and as a problem of the NetworkPolicy", () => {
    const report = evaluateManifests([web, networkPolicy("bad", { podSelector: { matchExpressions: [{ key: "app", operator: "Gt", values: ["1"] }] } })]);
    expect(report.findings.find((f) => f.rule === "ingress-policy")?.details[0]).toMatch(/^NetworkPolicy "bad" has an invalid podSelector: /);
    expect(report.problems).toEqual([
      expect.objectContaining({ field: "spec.podSelector", object: expect.objectContaining({ kind: "NetworkPolicy", name: "bad" }) }),
    ]);
  });
});

describe("ingress-policy at admission", () => {
  const nothing = inventoryOf([]);
  const actionFor = (manifest: unknown, inventory: Inventory, policy = policyWith({})) =>
    evaluateManifests([manifest], { surface: "admission", inventory, policy }).findings.find((f) => f.rule === "ingress-policy")?.action;

  it("denies Pods and only warns on workloads by default (apply-order)", () => {
    expect(actionFor(web, nothing)).toBe("deny");
    expect(actionFor(deployment("d"), nothing)).toBe("warn");
  });

  it("denies workloads too with enforceOn: workloads", () => {
    expect(actionFor(deployment("d"), nothing, policyWith({ "ingress-policy": { enforceOn: "workloads" } }))).toBe("deny");
  });

  it("denies workloads in manifests (check) where the whole set is present", () => {
    expect(evaluateManifests([deployment("d")]).findings.map((f) => [f.rule, f.action])).toEqual([["ingress-policy", "deny"]]);
  });

  const unverified: Inventory = { networkPolicies: () => ({ verified: false, reason: "the NetworkPolicy cache has not synced" }) };

  it("fails closed when coverage cannot be verified, saying so", () => {
    const report = evaluateManifests([web], { surface: "admission", inventory: unverified });
    expect(report.findings.map((f) => [f.action, f.message])).toEqual([
      ["deny", 'NetworkPolicy coverage in namespace "default" cannot be verified: the NetworkPolicy cache has not synced'],
    ]);
  });

  it("fails open as a warning, never silently, with whenUnverified: allow", () => {
    expect(actionFor(web, unverified, policyWith({ "ingress-policy": { whenUnverified: "allow" } }))).toBe("warn");
  });
});
