import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import type { Finding, Surface } from "../../src/engine/types.js";
import { COVERAGE_SOURCES } from "../../src/kube/coverage/source.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import type { Policy } from "../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";

const ROOT = join(import.meta.dirname, "..", "fixtures", "open-ingress");
const FILES = readdirSync(ROOT).sort();

function policyOf(openIngress: "count" | "flag", sources: readonly string[] = COVERAGE_SOURCES): Policy {
  const parsed = parsePolicyText(`rules:\n  ingress-policy:\n    openIngress: ${openIngress}\n    sources: [${sources.join(", ")}]\n`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

function findings(file: string, policy: Policy, surface: Surface = "manifests"): Finding[] {
  const collected = collectObjects([{ file, text: readFileSync(join(ROOT, file), "utf8") }], [], "default");
  expect(collected.problems).toEqual([]);
  const report = evaluate(collected.objects, { rules: BUILTIN_RULES, policy, inventory: inventoryFromObjects(collected.objects, "default"), surface, today: "2026-12-07", defaultNamespace: "default" });
  return report.findings.filter((finding) => finding.rule === "ingress-policy");
}

describe("openIngress: flag, every source enabled: fail.* open, pass.* isolated and not open", () => {
  it.each(FILES)("%s", (file) => {
    const found = findings(file, policyOf("flag"));
    if (file.startsWith("fail.")) expect(found.map((f) => f.key)).toEqual(["ingress-policy:open"]);
    else if (file.startsWith("pass.")) expect(found).toEqual([]);
    else throw new Error(`fixture ${file} must be named pass.* or fail.*`);
  });

  it.each(FILES)("%s: with openIngress: count (the default) every pod is covered", (file) => {
    expect(findings(file, policyOf("count"))).toEqual([]);
  });
});

describe("what an open-ingress finding says", () => {
  it.each<[string, string, string]>([
    [
      "fail.networkpolicy-allow-all-beside-default-deny.yaml",
      'ingress to pods labelled app=web in namespace "shop" is open to every source on every port through NetworkPolicy "allow-all" spec.ingress[0] (no from, no ports): narrow its peers or ports',
      'NetworkPolicy "allow-all" spec.ingress[0] admits every source on every port (no from, no ports)',
    ],
    [
      "fail.networkpolicy-every-namespace-and-address.yaml",
      'ingress to pods labelled app=api in namespace "shop" is open to every source on every port through NetworkPolicy "wide-open" spec.ingress[0] (from every namespace and 0.0.0.0/0 and ::/0, no ports): narrow its peers or ports',
      'NetworkPolicy "wide-open" spec.ingress[0] admits every source on every port (from every namespace and 0.0.0.0/0 and ::/0, no ports)',
    ],
    [
      "fail.cilium-from-entities-all.yaml",
      'ingress to pods labelled app=web in namespace "shop" is open to every source on every port through CiliumNetworkPolicy shop/web-in spec.ingress[0] (fromEntities all, no toPorts): narrow its peers or ports',
      "CiliumNetworkPolicy shop/web-in spec.ingress[0] admits every source on every port (fromEntities all, no toPorts)",
    ],
    [
      "fail.calico-allow-with-no-source.yaml",
      'ingress to pods labelled app=web in namespace "shop" is open to every source on every port through Calico NetworkPolicy shop/allow-any spec.ingress[0] (Allow with no source, no ports): narrow its peers or ports',
      "Calico NetworkPolicy shop/allow-any spec.ingress[0] admits every source on every port (Allow with no source, no ports)",
    ],
  ])("%s", (file, message, detail) => {
    const [finding] = findings(file, policyOf("flag"));
    expect({ message: finding?.message, details: finding?.details, field: finding?.field, action: finding?.action }).toEqual({ message, details: [detail], field: expect.stringMatching(/metadata\.labels$/), action: "deny" });
  });

  it("only enabled sources open: a Cilium policy is not asked when Cilium is not listed (and the pod is then not covered at all)", () => {
    const found = findings("fail.cilium-from-entities-all.yaml", policyOf("flag", ["networking.k8s.io/NetworkPolicy"]));
    expect(found.map((f) => f.key)).toEqual(["ingress-policy"]);
  });

  it("at admission a workload's open-ingress finding warns, as its coverage finding does (enforceOn: pods)", () => {
    const [finding] = findings("fail.networkpolicy-every-namespace-and-address.yaml", policyOf("flag"), "admission");
    expect({ kind: finding?.object.kind, action: finding?.action, cappedFrom: finding?.cappedFrom }).toEqual({ kind: "Deployment", action: "warn", cappedFrom: "deny" });
  });
});
