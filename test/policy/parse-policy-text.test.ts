import { describe, expect, it } from "vitest";
import { formatPolicyErrors, parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";
import { OVERRIDE_AND_PORT_ERRORS, POLICY_ERRORS } from "./policy-error-cases.js";

const errorsOf = (text: string) => {
  const parsed = parsePolicyText(text);
  if (parsed.ok) throw new Error("expected errors");
  return formatPolicyErrors("policy.yaml", parsed.errors).split("\n");
};

describe("parsePolicyText", () => {
  it("an empty file is the built-in policy", () => {
    expect(parsePolicyText("")).toEqual({ ok: true, value: DEFAULT_POLICY });
  });

  it("reads actions, options, exemptions and the annotation switch", () => {
    const parsed = parsePolicyText(`
apiVersion: netguard.io/v1alpha1
kind: Policy
rules:
  host-network: {action: warn}
  host-port: audit
  tcp-only: {action: deny, allowedProtocols: [TCP, UDP]}
  ingress-policy: {action: deny, enforceOn: workloads, whenUnverified: allow, openIngress: flag}
exemptions:
  - reason: node agents need the node network
    rules: [host-network, host-port]
    namespaces: [monitoring, "kube-*"]
    kinds: [DaemonSet]
    names: ["node-exporter*"]
    expires: 2027-01-31
annotationExemptions: true
`);
    expect(parsed).toEqual({
      ok: true,
      value: {
        rules: {
          "host-network": { action: "warn" },
          "host-port": { action: "audit", allowedHostPorts: [] },
          "tcp-only": { action: "deny", allowedProtocols: ["TCP", "UDP"] },
          "ingress-policy": { action: "deny", enforceOn: "workloads", whenUnverified: "allow", guard: "warn", sources: ["networking.k8s.io/NetworkPolicy"], openIngress: "flag" },
        },
        exemptions: [
          {
            reason: "node agents need the node network",
            rules: ["host-network", "host-port"],
            namespaces: ["monitoring", "kube-*"],
            kinds: ["DaemonSet"],
            names: ["node-exporter*"],
            expires: "2027-01-31",
          },
        ],
        overrides: [],
        annotationExemptions: true,
      },
    });
  });

  it.each(POLICY_ERRORS)("rejects %s, naming the key and line", (_name, text, expected) => {
    const first = errorsOf(text)[0] ?? "";
    expect(first.startsWith(expected)).toBe(true);
  });

  it("a legitimate policy with more than 1,000 alias uses is read (the old reader crashed on it)", () => {
    const more = Array.from({ length: 1200 }, (_, i) => `  - {reason: *why, namespaces: ["team-${String(i)}"], rules: *rules}`).join("\n");
    const parsed = parsePolicyText(`exemptions:\n  - {reason: &why shared tooling (NET-1), namespaces: [base], rules: &rules [host-port]}\n${more}\n`);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.exemptions.map((e) => [e.reason, e.rules])).toEqual(Array(1201).fill(["shared tooling (NET-1)", ["host-port"]]));
  });

  it("reads overrides and allowed host ports", () => {
    const parsed = parsePolicyText(`
rules:
  host-port:
    action: deny
    allowedHostPorts:
      - {port: 9100}
      - {min: 30000, max: 30100, protocol: UDP}
overrides:
  - namespaces: ["dev-*", sandbox]
    rules: {host-port: warn, tcp-only: audit}
    reason: developers try things out (NET-7)
  - namespaceSelector: {matchLabels: {env: prod}}
    rules: {ingress-policy: deny}
`);
    if (!parsed.ok) throw new Error(formatPolicyErrors("policy.yaml", parsed.errors));
    expect(parsed.value.rules["host-port"].allowedHostPorts).toEqual([
      { min: 9100, max: 9100, protocol: undefined },
      { min: 30000, max: 30100, protocol: "UDP" },
    ]);
    expect(parsed.value.overrides).toEqual([
      { namespaces: ["dev-*", "sandbox"], namespaceSelector: undefined, rules: { "host-port": "warn", "tcp-only": "audit" }, reason: "developers try things out (NET-7)" },
      { namespaces: undefined, namespaceSelector: { requirements: [{ key: "env", operator: "In", values: ["prod"], fromMatchLabels: true }] }, rules: { "ingress-policy": "deny" }, reason: undefined },
    ]);
  });

  it.each(OVERRIDE_AND_PORT_ERRORS)("rejects %s, naming the key and line", (_name, text, expected) => {
    expect(errorsOf(text)[0]?.startsWith(expected) ? expected : errorsOf(text).join("\n")).toBe(expected);
  });

  it("collects every error, not only the first", () => {
    expect(errorsOf("rules:\n  a: deny\n  b: deny\nannotationExemptions: maybe\n")).toHaveLength(3);
  });
});
