import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects, inventoryOf, mergeInventories } from "../../src/engine/inventory.js";
import type { Finding } from "../../src/engine/types.js";
import { COVERAGE_SOURCES } from "../../src/kube/coverage/source.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { DEFAULT_POLICY, type Policy } from "../../src/policy/policy.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";

const ROOT = join(import.meta.dirname, "..", "fixtures", "coverage");
const ALL_SOURCES = policyOf(`rules:\n  ingress-policy:\n    sources: [${COVERAGE_SOURCES.join(", ")}]\n`);

function policyOf(text: string): Policy {
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

/** The ingress-policy findings of a manifest text, judged as check judges it. */
function findings(text: string, policy: Policy, inventory?: (objects: ReturnType<typeof collectObjects>["objects"]) => ReturnType<typeof inventoryFromObjects>): Finding[] {
  const collected = collectObjects([{ file: "input.yaml", text }], [], "default");
  expect(collected.problems).toEqual([]);
  const report = evaluate(collected.objects, {
    rules: BUILTIN_RULES,
    policy,
    inventory: inventory ? inventory(collected.objects) : inventoryFromObjects(collected.objects, "default"),
    surface: "manifests",
    today: "2026-12-05",
    defaultNamespace: "default",
  });
  return report.findings.filter((finding) => finding.rule === "ingress-policy");
}

describe("coverage fixtures, every source enabled: pass.* covered, fail.* not", () => {
  const files = readdirSync(ROOT).sort();
  it.each(files)("%s", (file) => {
    const found = findings(readFileSync(join(ROOT, file), "utf8"), ALL_SOURCES);
    if (file.startsWith("pass.")) expect(found).toEqual([]);
    else if (file.startsWith("fail.")) expect(found.length).toBeGreaterThan(0);
    else throw new Error(`fixture ${file} must be named pass.* or fail.*`);
  });

  it.each(files.filter((file) => file.startsWith("pass.")))("%s with the default sources (NetworkPolicy only) is not covered, and says which setting would count it", (file) => {
    const [finding] = findings(readFileSync(join(ROOT, file), "utf8"), DEFAULT_POLICY);
    expect(finding?.details.join("\n")).toMatch(/would cover these pods; add \S+ to rules\.ingress-policy\.sources if your CNI enforces it/);
  });
});

describe("what a finding says", () => {
  const fixture = (name: string): string => readFileSync(join(ROOT, name), "utf8");

  it("a disabled kind that would cover is named with the one-line fix; the message keeps its NetworkPolicy wording", () => {
    expect(findings(fixture("pass.cilium-namespace-deny-all.yaml"), DEFAULT_POLICY).map(({ message, details }) => ({ message, details }))).toEqual([
      {
        message: 'no NetworkPolicy with Ingress in its policyTypes selects pods labelled app=web in namespace "shop"',
        details: ["CiliumNetworkPolicy shop/deny-all would cover these pods; add cilium.io/CiliumNetworkPolicy to rules.ingress-policy.sources if your CNI enforces it"],
      },
    ]);
  });

  it.each([
    ["fail.cilium-default-deny-off.yaml", "CiliumNetworkPolicy shop/audit-only selects these pods but sets enableDefaultDeny.ingress: false (it does not isolate them)"],
    ["fail.calico-pass-tier.yaml", "Calico NetworkPolicy shop/security.web-in is in tier security whose defaultAction is Pass: traffic it does not decide passes on"],
    ["fail.calico-v3-egress-rules-only.yaml", "Calico NetworkPolicy shop/egress-only selects these pods but its types are [Egress] (no Ingress)"],
    ["fail.admin-network-policy-port-scoped.yaml", "AdminNetworkPolicy no-ssh selects these pods but has no ingress Deny rule from every namespace on every port (a deny limited to some peers or ports is partial)"],
  ])("%s: %s", (file, nearMiss) => {
    const [finding] = findings(fixture(file), ALL_SOURCES);
    expect(finding?.message).toBe(`no policy of the enabled sources (${COVERAGE_SOURCES.join(", ")}) isolates pods labelled app=web in namespace "shop" for ingress`);
    expect(finding?.details).toEqual([nearMiss]);
  });

  it("an invalid policy of an enabled kind is said, with Cilium's reason", () => {
    const text = `${fixture("fail.cilium-node-selector-only.yaml")}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: broken, namespace: shop}\nspec: {endpointSelector: {}}\n`;
    const [finding] = findings(text, policyOf("rules:\n  ingress-policy: {sources: [cilium.io/CiliumNetworkPolicy, cilium.io/CiliumClusterwideNetworkPolicy]}\n"));
    expect(finding?.details).toEqual(["CiliumNetworkPolicy shop/broken is invalid and covers nothing: spec has none of ingress, ingressDeny, egress, egressDeny"]);
  });

  it("with NetworkPolicy left out of the sources, a NetworkPolicy does not cover, and is pointed out", () => {
    const text = `${fixture("fail.cilium-default-deny-off.yaml")}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec: {podSelector: {}}\n`;
    const [finding] = findings(text, policyOf("rules:\n  ingress-policy: {sources: [cilium.io/CiliumNetworkPolicy]}\n"));
    expect(finding?.details).toEqual([
      'NetworkPolicy "np" would cover these pods; add networking.k8s.io/NetworkPolicy to rules.ingress-policy.sources if your CNI enforces it',
      "CiliumNetworkPolicy shop/audit-only selects these pods but sets enableDefaultDeny.ingress: false (it does not isolate them)",
    ]);
  });

  it("a front door that does not read an enabled kind says so: unverified (whenUnverified decides), never a silent pass", () => {
    const policy = policyOf("rules:\n  ingress-policy: {sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy]}\n");
    const without = findings(fixture("pass.cilium-namespace-deny-all.yaml"), policy, () => inventoryOf([]));
    expect(without.map((finding) => [finding.action, finding.message])).toEqual([
      ["deny", 'Ingress coverage in namespace "shop" cannot be verified: cilium.io/CiliumNetworkPolicy is not read here yet (netguard check reads them from its input)'],
    ]);
    // check --cluster: the files' policies still count; the cluster's of these kinds are said to be missing.
    const cluster = { ...inventoryOf([]), coveragePolicies: () => ({ policies: [], incomplete: "check --cluster lists the cluster's NetworkPolicies only" }) };
    expect(findings(fixture("pass.cilium-namespace-deny-all.yaml"), policy, (objects) => mergeInventories(inventoryFromObjects(objects, "default"), cluster))).toEqual([]);
    expect(findings(fixture("fail.cilium-default-deny-off.yaml"), policy, (objects) => mergeInventories(inventoryFromObjects(objects, "default"), cluster)).map((finding) => finding.message)).toEqual([
      'Ingress coverage in namespace "shop" cannot be verified: check --cluster lists the cluster\'s NetworkPolicies only',
    ]);
  });
});

describe("rules.ingress-policy.sources in the policy file", () => {
  it("accepts every kind by its group-qualified name, Calico's CRD group as the same source", () => {
    expect(policyOf("rules:\n  ingress-policy:\n    sources: [crd.projectcalico.org/NetworkPolicy, projectcalico.org/NetworkPolicy, crd.projectcalico.org/GlobalNetworkPolicy]\n").rules["ingress-policy"].sources).toEqual([
      "projectcalico.org/NetworkPolicy",
      "projectcalico.org/GlobalNetworkPolicy",
    ]);
    expect(DEFAULT_POLICY.rules["ingress-policy"].sources).toEqual(["networking.k8s.io/NetworkPolicy"]);
  });

  it.each([
    ["sources: [cilium.io/CiliumNetworkPolicy, crd.antrea.io/ClusterNetworkPolicy]", "rules.ingress-policy.sources.1", '"crd.antrea.io/ClusterNetworkPolicy" is not a policy kind netguard reads; known: '],
    ["sources: [CiliumNetworkPolicy]", "rules.ingress-policy.sources.0", '"CiliumNetworkPolicy" is not a policy kind netguard reads; known: '],
    ["sources: []", "rules.ingress-policy.sources", "must be a non-empty list of policy kinds"],
    ["sources: cilium.io/CiliumNetworkPolicy", "rules.ingress-policy.sources", "must be a non-empty list of policy kinds"],
  ])("%s is an error at %s", (line, path, message) => {
    const parsed = parsePolicyText(`rules:\n  ingress-policy:\n    ${line}\n`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors.map((error) => [error.path, error.line])).toEqual([[path, 3]]);
      expect(parsed.errors[0]?.message.startsWith(message)).toBe(true);
    }
  });
});
