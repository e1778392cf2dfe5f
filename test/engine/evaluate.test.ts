import { describe, expect, it } from "vitest";
import { capAction } from "../../src/engine/evaluate.js";
import { container, pod, podSpec, policyWith } from "../builders.js";
import { evaluateManifests } from "../evaluate-helper.js";

describe("evaluate", () => {
  const bad = { ...pod("bad", podSpec({ hostNetwork: true }, [container("dns", [{ containerPort: 53, hostPort: 5353, protocol: "UDP" }])])), metadata: { name: "bad", namespace: "apps", labels: { app: "bad" } } };

  it("gives every finding its rule, action, object, field, value, message and fix", () => {
    const report = evaluateManifests([bad]);
    expect(report.findings.map((f) => f.rule)).toEqual(["host-network", "host-port", "tcp-only", "ingress-policy"]);
    expect(report.findings[1]).toEqual({
      rule: "host-port",
      action: "deny",
      object: { apiVersion: "v1", kind: "Pod", namespace: "apps", name: "bad" },
      field: "spec.containers[0].ports[0].hostPort",
      value: "5353",
      message: 'container "dns" uses hostPort 5353',
      fix: expect.stringMatching(/^Remove hostPort/),
      key: "dns/5353/UDP",
      details: [],
    });
  });

  it("applies the policy's action per rule and skips rules that are off", () => {
    const policy = policyWith({ "host-network": { action: "warn" }, "host-port": { action: "audit" }, "tcp-only": { action: "off" }, "ingress-policy": { action: "off" } });
    expect(evaluateManifests([bad], { policy }).findings.map((f) => [f.rule, f.action])).toEqual([
      ["host-network", "warn"],
      ["host-port", "audit"],
    ]);
  });

  it("counts the objects it evaluated, including kinds without rules", () => {
    expect(evaluateManifests([bad, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }]).objects).toBe(2);
  });

  it.each([
    ["deny", undefined, "deny"],
    ["deny", "warn", "warn"],
    ["audit", "warn", "audit"],
    ["warn", "deny", "warn"],
  ] as const)("capAction(%s, %s) = %s", (action, cap, expected) => {
    expect(capAction(action, cap)).toBe(expected);
  });
});
