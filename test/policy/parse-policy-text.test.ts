import { describe, expect, it } from "vitest";
import { formatPolicyErrors, parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";

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
  ingress-policy: {action: deny, enforceOn: workloads, whenUnverified: allow}
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
          "host-port": { action: "audit" },
          "tcp-only": { action: "deny", allowedProtocols: ["TCP", "UDP"] },
          "ingress-policy": { action: "deny", enforceOn: "workloads", whenUnverified: "allow" },
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
        annotationExemptions: true,
      },
    });
  });

  it.each([
    ["an unknown rule id", "rules:\n  host-net: {action: deny}\n", "policy.yaml:2: rules.host-net: unknown rule id; known rules: host-network, host-port, tcp-only, ingress-policy"],
    ["a bad action", "rules:\n  tcp-only:\n    action: block\n", 'policy.yaml:3: rules.tcp-only.action: "block" is not one of deny, warn, audit, off'],
    ["a missing reason", "exemptions:\n  - namespaces: [a]\n", "policy.yaml:2: exemptions.0.reason: required: say why this exemption exists"],
    ["a bad expiry", "exemptions:\n  - reason: r\n    expires: next week\n", "policy.yaml:3: exemptions.0.expires: must be a date YYYY-MM-DD (the last day the exemption applies)"],
    ["an unknown top-level key", "rulez: {}\n", "policy.yaml:1: rulez: unknown key; expected one of apiVersion, kind, rules, exemptions, annotationExemptions"],
    ["an unknown option", "rules:\n  host-port: {action: deny, ports: [80]}\n", "policy.yaml:2: rules.host-port.ports: unknown option; host-port takes action"],
    ["an unknown protocol", "rules:\n  tcp-only:\n    allowedProtocols: [TCP, QUIC]\n", 'policy.yaml:3: rules.tcp-only.allowedProtocols.1: "QUIC" is not a protocol (TCP, UDP, SCTP)'],
    ["an unknown rule in an exemption", "exemptions:\n  - reason: r\n    rules: [hostnetwork]\n", 'policy.yaml:3: exemptions.0.rules.0: unknown rule id "hostnetwork"; known rules: host-network, host-port, tcp-only, ingress-policy'],
    ["bad YAML", "rules:\n  host-port: [unclosed\n", "policy.yaml:3: (yaml): "],
    ["a date that does not exist", "exemptions:\n  - reason: r\n    expires: 2026-02-31\n", "policy.yaml:3: exemptions.0.expires: must be a date YYYY-MM-DD (the last day the exemption applies)"],
    ["a glob as a kind", 'exemptions:\n  - reason: r\n    kinds: ["*"]\n', 'policy.yaml:3: exemptions.0.kinds.0: "*" is not a kind: kinds are matched exactly (Deployment, DaemonSet, Pod, ...); leave kinds out to match every kind'],
    ["a lowercase kind", "exemptions:\n  - reason: r\n    kinds: [daemonset]\n", 'policy.yaml:3: exemptions.0.kinds.0: "daemonset" is not a kind'],
    [
      "an alias bomb",
      ["x: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `x${String(i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n"),
      "policy.yaml:1: (yaml): aliases expand this document to more than 400000 nodes",
    ],
    ["a duplicate key", "rules:\n  host-port: warn\n  host-port: deny\n", 'policy.yaml:3: (yaml): duplicate key "host-port" in a mapping (kubectl refuses it)'],
    ["not a mapping", "- a\n- b\n", "policy.yaml:1: (document): the policy must be a mapping with rules, exemptions and annotationExemptions"],
  ])("rejects %s, naming the key and line", (_name, text, expected) => {
    const first = errorsOf(text)[0] ?? "";
    expect(first.startsWith(expected)).toBe(true);
  });

  it("a legitimate policy with more than 1,000 alias uses is read (the old reader crashed on it)", () => {
    const more = Array.from({ length: 1200 }, (_, i) => `  - {reason: *why, namespaces: ["team-${String(i)}"], rules: *rules}`).join("\n");
    const parsed = parsePolicyText(`exemptions:\n  - {reason: &why shared tooling (NET-1), namespaces: [base], rules: &rules [host-port]}\n${more}\n`);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.exemptions.map((e) => [e.reason, e.rules])).toEqual(Array(1201).fill(["shared tooling (NET-1)", ["host-port"]]));
  });

  it("collects every error, not only the first", () => {
    expect(errorsOf("rules:\n  a: deny\n  b: deny\nannotationExemptions: maybe\n")).toHaveLength(3);
  });
});
