import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Policy, type PolicyExemption } from "../../src/policy/policy.js";
import { pod, podSpec } from "../builders.js";
import { evaluateManifests } from "../evaluate-helper.js";

const hostPod = (name: string, namespace: string, annotations: Record<string, string> = {}) => {
  const manifest = pod(name, podSpec({ hostNetwork: true }));
  return { ...manifest, metadata: { name, namespace, labels: { app: name }, annotations } };
};
const exemption = (fields: Partial<PolicyExemption>): PolicyExemption => ({
  reason: "because",
  rules: undefined,
  namespaces: undefined,
  kinds: undefined,
  names: undefined,
  expires: undefined,
  ...fields,
});
const withExemptions = (exemptions: PolicyExemption[], annotationExemptions = false): Policy => ({
  ...DEFAULT_POLICY,
  rules: { ...DEFAULT_POLICY.rules, "ingress-policy": { ...DEFAULT_POLICY.rules["ingress-policy"], action: "off" } },
  exemptions,
  annotationExemptions,
});

describe("exemptions", () => {
  it.each([
    ["namespace glob", exemption({ namespaces: ["mon*"] }), true],
    ["namespace mismatch", exemption({ namespaces: ["kube-system"] }), false],
    ["kind", exemption({ kinds: ["Pod"] }), true],
    ["kind mismatch", exemption({ kinds: ["DaemonSet"] }), false],
    ["name glob", exemption({ names: ["node-*"] }), true],
    ["rule listed", exemption({ rules: ["host-network"] }), true],
    ["other rule only", exemption({ rules: ["host-port"] }), false],
    ["all selectors must match", exemption({ namespaces: ["monitoring"], names: ["other"] }), false],
    ["expires today still applies", exemption({ expires: "2026-11-24" }), true],
    ["expired yesterday", exemption({ expires: "2026-11-23" }), false],
  ])("%s → waived=%s", (_name, entry, waived) => {
    const report = evaluateManifests([hostPod("node-agent", "monitoring")], { policy: withExemptions([entry]) });
    expect(report.waived.length).toBe(waived ? 1 : 0);
    expect(report.findings.length).toBe(waived ? 0 : 1);
  });

  it("reports an expired exemption, and the finding stands", () => {
    const report = evaluateManifests([hostPod("a", "monitoring")], { policy: withExemptions([exemption({ reason: "old", expires: "2026-01-01" })]) });
    expect(report.expired).toEqual([{ rule: "host-network", object: expect.objectContaining({ name: "a" }), reason: "old", expires: "2026-01-01" }]);
    expect(report.findings.map((f) => f.rule)).toEqual(["host-network"]);
  });

  it("keeps the waived finding and the reason for the report", () => {
    const report = evaluateManifests([hostPod("a", "monitoring")], { policy: withExemptions([exemption({ reason: "node agent" })]) });
    expect(report.waived.map((w) => [w.finding.rule, w.reason, w.origin])).toEqual([["host-network", "node agent", "policy"]]);
  });

  describe("annotations", () => {
    const annotated = hostPod("a", "team", { "netguard.io/exempt": "host-network, host-port", "netguard.io/exempt-reason": "lab cluster" });

    it("are ignored unless the policy allows them", () => {
      expect(evaluateManifests([annotated], { policy: withExemptions([]) }).findings).toHaveLength(1);
    });

    it("waive the listed rules when allowed", () => {
      const report = evaluateManifests([annotated], { policy: withExemptions([], true) });
      expect(report.waived.map((w) => [w.finding.rule, w.reason, w.origin])).toEqual([["host-network", "lab cluster", "annotation"]]);
    });

    it("need a reason", () => {
      const noReason = hostPod("a", "team", { "netguard.io/exempt": "host-network" });
      expect(evaluateManifests([noReason], { policy: withExemptions([], true) }).findings).toHaveLength(1);
    });
  });
});
