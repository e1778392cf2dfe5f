import { describe, expect, it } from "vitest";
import { overrideFor, overrideNote } from "../../src/engine/overrides.js";
import type { NamespaceLabels } from "../../src/engine/types.js";
import { compileSelector } from "../../src/kube/label-selector.js";
import type { PolicyOverride } from "../../src/policy/policy.js";
import { container, pod, podSpec, policyWith } from "../builders.js";
import { evaluateManifests } from "../evaluate-helper.js";

const selector = (matchLabels: Record<string, string>) => {
  const compiled = compileSelector({ matchLabels }, "namespaceSelector");
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.value;
};
const override = (fields: Partial<PolicyOverride>): PolicyOverride => ({ namespaces: undefined, namespaceSelector: undefined, rules: { "host-port": "warn" }, reason: undefined, ...fields });
const labels: Record<string, Record<string, string>> = { "dev-1": { env: "dev" }, prod: { env: "prod" }, "dev-unlabelled": {} };
const known = (namespace: string): NamespaceLabels => {
  const found = labels[namespace];
  return found ? { known: true, labels: found } : { known: false, reason: `no Namespace object "${namespace}" in the input` };
};

describe("overrideFor", () => {
  const overrides = [
    override({ namespaces: ["dev-*"], namespaceSelector: selector({ env: "dev" }), rules: { "host-port": "audit" }, reason: "labelled dev" }),
    override({ namespaces: ["dev-*", "sandbox"], rules: { "host-port": "warn" } }),
    override({ namespaceSelector: selector({ env: "prod" }), rules: { "tcp-only": "deny" }, reason: "production" }),
  ];
  it.each([
    ["a name and label match: the first override", "dev-1", 0, []],
    ["a name match whose labels fail the selector: the next override", "dev-unlabelled", 1, []],
    ["a plain name match", "sandbox", 1, []],
    ["a selector match", "prod", 2, []],
    ["no match", "shop", undefined, ["2"]],
    ["unknown labels: matched by name only, the selector overrides said", "dev-9", 1, ["0"]],
  ])("%s", (_name, namespace, expected, unapplied) => {
    const found = overrideFor(overrides, namespace, known);
    expect(found.applied?.index).toBe(expected);
    expect(found.unapplied.map((u) => String(u.override.index))).toEqual(unapplied);
  });

  it("says why the labels are unknown", () => {
    expect(overrideFor(overrides, "dev-9", known).unapplied).toEqual([
      { namespace: "dev-9", override: { index: 0, reason: "labelled dev", scope: "dev-* labelled env=dev" }, why: 'no Namespace object "dev-9" in the input' },
    ]);
  });

  it("judges a selector on kubernetes.io/metadata.name without the labels: the API server sets it on every namespace", () => {
    const byName = [override({ namespaceSelector: selector({ "kubernetes.io/metadata.name": "shop" }) })];
    expect(overrideFor(byName, "shop", known).applied?.index).toBe(0);
    expect(overrideFor(byName, "other", known)).toEqual({ applied: undefined, unapplied: [] });
  });

  it("applies no override to a cluster-scoped object", () => {
    expect(overrideFor(overrides, undefined, known).applied).toBeUndefined();
  });

  it.each([
    [override({ namespaces: ["dev-*"], reason: "try things" }), "warn", "(warn in dev-*: try things)"],
    [override({ namespaces: ["a", "b"] }), "deny", "(deny in a,b: overrides[1])"],
    [override({ namespaceSelector: selector({ env: "dev", team: "x" }) }), "audit", "(audit in namespaces labelled env=dev,team=x: overrides[1])"],
  ])("notes %j as %s", (entry, action, expected) => {
    const first = override({ namespaces: ["never"] });
    const found = overrideFor([first, entry], entry.namespaces?.[0] ?? "elsewhere", () => ({ known: true, labels: { env: "dev", team: "x" } }));
    expect(found.applied && overrideNote(action, found.applied)).toBe(expected);
  });
});

describe("evaluate with overrides", () => {
  const hostPortPod = (namespace: string) => ({ ...pod("p", podSpec({}, [container("a", [{ containerPort: 80, hostPort: 80 }])])), metadata: { name: "p", namespace } });
  const namespace = (name: string, nsLabels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: nsLabels } });
  const policy = policyWith(
    { "host-port": { action: "audit" }, "ingress-policy": { action: "off" }, "tcp-only": { action: "off" } },
    {
      overrides: [
        override({ namespaces: ["dev-*"], rules: { "host-port": "warn" }, reason: "developers try things out" }),
        override({ namespaceSelector: selector({ env: "prod" }), rules: { "host-port": "deny", "host-network": "off" } }),
      ],
    },
  );
  const actions = (manifests: unknown[]) =>
    evaluateManifests(manifests, { policy }).findings.map((f) => [f.object.namespace, f.rule, f.action, f.override?.index]);

  it("sets the action of the rules an override names, per namespace; the rest keep their own", () => {
    expect(actions([hostPortPod("dev-1"), hostPortPod("shop"), namespace("live", { env: "prod" }), hostPortPod("live")])).toEqual([
      ["dev-1", "host-port", "warn", 0],
      ["shop", "host-port", "audit", undefined],
      ["live", "host-port", "deny", 1],
    ]);
  });

  it("turns a rule off in a namespace, and on where the policy has it off", () => {
    const hostNetworkPod = (ns: string) => ({ ...pod("h", podSpec({ hostNetwork: true })), metadata: { name: "h", namespace: ns } });
    const on = policyWith({ "host-network": { action: "off" }, "ingress-policy": { action: "off" } }, { overrides: [override({ namespaces: ["strict"], rules: { "host-network": "deny" } })] });
    expect(evaluateManifests([hostNetworkPod("strict"), hostNetworkPod("other")], { policy: on }).findings.map((f) => [f.object.namespace, f.rule, f.action])).toEqual([["strict", "host-network", "deny"]]);
    expect(actions([namespace("live", { env: "prod" }), hostNetworkPod("live")]).filter((a) => a[1] === "host-network")).toEqual([]);
  });

  it("without the Namespace object, a selector override is not applied and the report says so once per namespace", () => {
    const report = evaluateManifests([hostPortPod("live"), { ...hostPortPod("live"), metadata: { name: "q", namespace: "live" } }], { policy });
    expect(report.findings.map((f) => f.action)).toEqual(["audit", "audit"]);
    expect(report.unappliedOverrides).toEqual([{ namespace: "live", override: { index: 1, reason: undefined, scope: "namespaces labelled env=prod" }, why: 'no Namespace object "live" in the input' }]);
  });

  it("still caps a workload's ingress-policy finding at admission, whatever an override says", () => {
    const strict = policyWith({}, { overrides: [override({ namespaces: ["default"], rules: { "ingress-policy": "deny" } })] });
    const report = evaluateManifests([{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "default" }, spec: { selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec: podSpec() } } }], { policy: strict, surface: "admission" });
    expect(report.findings.map((f) => [f.rule, f.action, f.override?.index])).toEqual([["ingress-policy", "warn", 0]]);
  });
});
