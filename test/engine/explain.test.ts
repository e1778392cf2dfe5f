import { describe, expect, it } from "vitest";
import { explain } from "../../src/engine/explain.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import type { Inventory } from "../../src/engine/types.js";
import type { KubeObject } from "../../src/kube/object.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";

const POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web, tier: front}}\nspec: {containers: [{name: a, image: b}]}\n";
const policy = (name: string, spec: string): string => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec: ${spec}\n`;

function explained(text: string, inventory?: (objects: readonly KubeObject[]) => Inventory) {
  const { objects, problems } = collectObjects([{ file: "in.yaml", text }], [], "default");
  expect(problems).toEqual([]);
  const target = objects[0];
  if (target === undefined) throw new Error("no object");
  return explain(target, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventory ? inventory(objects) : inventoryFromObjects(objects, "default"), today: "2026-12-07", defaultNamespace: "default", policyObjects: objects.slice(1) });
}

describe("explain: the ingress verdict", () => {
  it.each<[string, string, string, string]>([
    ["no policy", POD, "not-covered", "no policy of the enabled sources (networking.k8s.io/NetworkPolicy) isolates it for ingress"],
    ["a default-deny", POD + policy("deny", "{podSelector: {}}"), "covered", 'isolated by NetworkPolicy "deny"'],
    ["an allow-all beside it", POD + policy("deny", "{podSelector: {}}") + policy("all", "{podSelector: {}, ingress: [{}]}"), "open", 'NetworkPolicy "all" admits every source on every port (isolated by NetworkPolicy "all", NetworkPolicy "deny")'],
    ["a Service runs no pods", "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n", "not-a-pod", "Service runs no pods: ingress coverage does not apply"],
  ])("%s", (_name, text, state, reason) => {
    expect(explained(text).ingress).toEqual({ state, reason });
  });

  it("unverified when the inventory cannot say", () => {
    expect(explained(POD, () => ({ networkPolicies: () => ({ verified: false, reason: "the cache is not synced" }) })).ingress).toEqual({ state: "unverified", reason: "the cache is not synced" });
  });
});

describe("explain: near misses are one label or one policy type away", () => {
  it.each<[string, string, string[]]>([
    ["one label off", policy("api", "{podSelector: {matchLabels: {app: api}}}"), ['NetworkPolicy "api" would select it but for app=api (pod has app=web)']],
    ["two labels off is not near", policy("db", "{podSelector: {matchLabels: {app: db, tier: back}}}"), []],
    ["selected, Egress only", policy("out", "{podSelector: {}, policyTypes: [Egress]}"), ['NetworkPolicy "out" selects it but its policyTypes are [Egress] (no Ingress)']],
    ["another namespace's policy is not near", "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: other}\nspec: {podSelector: {}}\n", []],
  ])("%s", (_name, policies, nearMisses) => {
    expect(explained(POD + policies).nearMisses).toEqual(nearMisses);
  });
});
