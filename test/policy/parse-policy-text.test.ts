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
          "host-port": { action: "audit", allowedHostPorts: [] },
          "tcp-only": { action: "deny", allowedProtocols: ["TCP", "UDP"] },
          "ingress-policy": { action: "deny", enforceOn: "workloads", whenUnverified: "allow", guard: "warn", sources: ["networking.k8s.io/NetworkPolicy"] },
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

  it.each([
    ["an unknown rule id", "rules:\n  host-net: {action: deny}\n", "policy.yaml:2: rules.host-net: unknown rule id; known rules: host-network, host-port, tcp-only, ingress-policy"],
    ["a bad action", "rules:\n  tcp-only:\n    action: block\n", 'policy.yaml:3: rules.tcp-only.action: "block" is not one of deny, warn, audit, off'],
    ["a missing reason", "exemptions:\n  - namespaces: [a]\n", "policy.yaml:2: exemptions.0.reason: required: say why this exemption exists"],
    ["a bad expiry", "exemptions:\n  - reason: r\n    expires: next week\n", "policy.yaml:3: exemptions.0.expires: must be a date YYYY-MM-DD (the last day the exemption applies)"],
    ["an unknown top-level key", "rulez: {}\n", "policy.yaml:1: rulez: unknown key; expected one of apiVersion, kind, rules, exemptions, overrides, annotationExemptions"],
    ["an unknown option", "rules:\n  host-port: {action: deny, ports: [80]}\n", "policy.yaml:2: rules.host-port.ports: unknown option; host-port takes action, allowedHostPorts"],
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

  it.each([
    ["overrides that are not a list", "overrides: {dev: warn}\n", "policy.yaml:1: overrides: must be a list of {namespaces, namespaceSelector, rules, reason}"],
    ["an override for no namespace", "overrides:\n  - rules: {host-port: warn}\n", "policy.yaml:2: overrides.0: give namespaces, namespaceSelector or both (for every namespace, set the action under rules)"],
    ["an override without rules", "overrides:\n  - namespaces: [dev]\n", "policy.yaml:2: overrides.0.rules: required: a mapping from rule id to action, such as {host-port: warn} (deny, warn, audit, off)"],
    ["an unknown rule in an override", "overrides:\n  - namespaces: [dev]\n    rules:\n      hostport: warn\n", "policy.yaml:4: overrides.0.rules.hostport: unknown rule id; known rules: host-network, host-port, tcp-only, ingress-policy"],
    ["a bad action in an override", "overrides:\n  - namespaces: [dev]\n    rules:\n      host-port: allow\n", 'policy.yaml:4: overrides.0.rules.host-port: "allow" is not one of deny, warn, audit, off'],
    ["an unknown override key", "overrides:\n  - namespaces: [dev]\n    rules: {host-port: warn}\n    kinds: [Pod]\n", "policy.yaml:4: overrides.0.kinds: unknown key; expected one of namespaces, namespaceSelector, rules, reason"],
    ["a bad namespaceSelector", "overrides:\n  - namespaceSelector:\n      matchExpressions: [{key: env, operator: Is}]\n    rules: {host-port: warn}\n", 'policy.yaml:3: overrides.0.namespaceSelector: namespaceSelector.matchExpressions[0].operator: "Is" is not a valid selector operator'],
    ["an empty override reason", 'overrides:\n  - namespaces: [dev]\n    rules: {host-port: warn}\n    reason: ""\n', "policy.yaml:4: overrides.0.reason: must be a non-empty string"],
    ["an empty namespaces list", "overrides:\n  - namespaces: []\n    rules: {host-port: warn}\n", "policy.yaml:2: overrides.0.namespaces: must be a non-empty list of strings"],
    ["allowedHostPorts that are not a list", "rules:\n  host-port:\n    allowedHostPorts: 9100\n", "policy.yaml:3: rules.host-port.allowedHostPorts: must be a list of {port} or {min, max}, each optionally with a protocol"],
    ["a bare port number", "rules:\n  host-port:\n    allowedHostPorts: [9100]\n", "policy.yaml:3: rules.host-port.allowedHostPorts.0: must be a mapping: {port: 9100} or {min: 30000, max: 30100}, optionally with protocol"],
    ["a port out of range", "rules:\n  host-port:\n    allowedHostPorts:\n      - port: 70000\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0.port: 70000 is not a port number (1-65535)"],
    ["a port as a string", 'rules:\n  host-port:\n    allowedHostPorts:\n      - port: "80"\n', 'policy.yaml:4: rules.host-port.allowedHostPorts.0.port: "80" is not a port number (1-65535)'],
    ["port and a range at once", "rules:\n  host-port:\n    allowedHostPorts:\n      - {port: 80, min: 80, max: 81}\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0: give either port or min and max, not both"],
    ["a range without max", "rules:\n  host-port:\n    allowedHostPorts:\n      - {min: 80}\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0: min needs a max"],
    ["a range without min", "rules:\n  host-port:\n    allowedHostPorts:\n      - {max: 80}\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0: max needs a min"],
    ["an inverted range", "rules:\n  host-port:\n    allowedHostPorts:\n      - min: 90\n        max: 80\n", "policy.yaml:5: rules.host-port.allowedHostPorts.0.max: 80 is below min 90"],
    ["an empty entry", "rules:\n  host-port:\n    allowedHostPorts:\n      - {}\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0: give a port, or min and max"],
    ["a bad protocol", "rules:\n  host-port:\n    allowedHostPorts:\n      - {port: 80, protocol: tcp}\n", 'policy.yaml:4: rules.host-port.allowedHostPorts.0.protocol: "tcp" is not a protocol (TCP, UDP, SCTP)'],
    ["an unknown range key", "rules:\n  host-port:\n    allowedHostPorts:\n      - {port: 80, to: 90}\n", "policy.yaml:4: rules.host-port.allowedHostPorts.0.to: unknown key; expected one of port, min, max, protocol"],
  ])("rejects %s, naming the key and line", (_name, text, expected) => {
    expect(errorsOf(text)[0]?.startsWith(expected) ? expected : errorsOf(text).join("\n")).toBe(expected);
  });

  it("collects every error, not only the first", () => {
    expect(errorsOf("rules:\n  a: deny\n  b: deny\nannotationExemptions: maybe\n")).toHaveLength(3);
  });
});
