import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Rule } from "../../src/engine/types.js";
import { DEFAULT_POLICY, type Policy } from "../../src/policy/policy.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { isStateless } from "../../src/rules/stateless-rule.js";
import { EXCLUDED_NAMESPACES, generatePolicies, globPattern, NOT_EXPRESSIBLE, RULES_ANNOTATION } from "../../src/vap/generate.js";
import { at, hasKubectl, kustomize, list, one } from "../config/render.js";

const ROOT = join(import.meta.dirname, "..", "..");

function policyOf(text: string): Policy {
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

function generate(policy: Policy = DEFAULT_POLICY): Record<string, unknown>[] {
  const result = generatePolicies(BUILTIN_RULES, policy, { namePrefix: "netguard-" });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return [...result.value.objects];
}

const ofKind = (objects: readonly unknown[], kind: string): unknown[] => objects.filter((object) => at(object, "kind") === kind);
const names = (objects: readonly unknown[], kind: string): string[] => ofKind(objects, kind).map((object) => String(at(object, "metadata.name")));

describe("which rules become policies", () => {
  it("every registry rule is either stated as data (and generated) or listed as not expressible with a reason", () => {
    const generated = new Set(ofKind(generate(), "ValidatingAdmissionPolicy").flatMap((object) => ((at(object, "metadata.annotations") as Record<string, string>)[RULES_ANNOTATION] ?? "").split(",")));
    for (const rule of BUILTIN_RULES) {
      const listed = NOT_EXPRESSIBLE[rule.id] !== undefined;
      expect({ rule: rule.id, stateless: isStateless(rule), listed, generated: generated.has(rule.id) }).toEqual({ rule: rule.id, stateless: !listed, listed, generated: !listed });
    }
    expect([...generated].sort()).toEqual(["host-network", "host-port", "tcp-only"]);
  });

  it("a rule neither stated as data nor listed fails the generator, so a new rule cannot be forgotten", () => {
    const unlisted: Rule = { id: "host-network", title: "", summary: "", fix: "", help: "", securitySeverity: "1.0", check: () => [] };
    const renamed = { ...unlisted, id: "new-rule" } as unknown as Rule;
    expect(() => generatePolicies([renamed], DEFAULT_POLICY, { namePrefix: "" })).toThrow("rule new-rule is neither stated as data nor listed in NOT_EXPRESSIBLE");
  });

  it("one policy and one binding per place and action, one validation per rule: pod specs by where each kind keeps them, Services, NetworkPolicies", () => {
    const objects = generate();
    const expected = ["pods", "podtemplates", "workloads", "cronjobs", "services", "networkpolicies"].map((name) => `netguard-deny-${name}`);
    expect(names(objects, "ValidatingAdmissionPolicy")).toEqual(expected);
    expect(ofKind(objects, "ValidatingAdmissionPolicyBinding").map((binding) => at(binding, "spec.policyName"))).toEqual(expected);
    expect(ofKind(objects, "ValidatingAdmissionPolicy").map((object) => [at(object, "metadata.name"), (at(object, "metadata.annotations") as Record<string, string>)[RULES_ANNOTATION], list(object, "spec.validations").length])).toEqual([
      ["netguard-deny-pods", "host-network,host-port,tcp-only", 3],
      ["netguard-deny-podtemplates", "host-network,host-port,tcp-only", 3],
      ["netguard-deny-workloads", "host-network,host-port,tcp-only", 3],
      ["netguard-deny-cronjobs", "host-network,host-port,tcp-only", 3],
      ["netguard-deny-services", "tcp-only", 1],
      ["netguard-deny-networkpolicies", "tcp-only", 1],
    ]);
    const pods = one(objects, "ValidatingAdmissionPolicy", "deny-pods");
    expect(at(pods, "metadata.labels")).toEqual({ "app.kubernetes.io/part-of": "netguard", "netguard.io/action": "deny", "netguard.io/scope": "pods" });
    expect(at(pods, "spec.matchConstraints.resourceRules")).toEqual([{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] }]);
    expect(list(pods, "spec.variables").map((variable) => at(variable, "name"))).toEqual([
      "spec",
      ...["hostNetwork", "hostPort", "tcpOnly"].flatMap((stem) => [`${stem}Offends`, `${stem}OffendsAnew`, `${stem}Violations`]),
    ]);
    expect(list(pods, "spec.validations").map((validation) => at(validation, "expression"))).toEqual([
      "!variables.hostNetworkOffends || !variables.hostNetworkOffendsAnew",
      "!variables.hostPortOffends || !variables.hostPortOffendsAnew",
      "!variables.tcpOnlyOffends || !variables.tcpOnlyOffendsAnew",
    ]);
    expect(String(at(pods, "spec.validations.0.messageExpression"))).toBe(
      "variables.hostNetworkOffends && variables.hostNetworkOffendsAnew ? '[host-network] ' + variables.hostNetworkViolations.join('; ') + ' (fix: Remove hostNetwork: true and expose the pod through a Service; exempt node agents that truly need the node\\'s network.)' : ''",
    );
    expect(list(one(objects, "ValidatingAdmissionPolicy", "deny-workloads"), "spec.matchConstraints.resourceRules").map((rule) => at(rule, "resources"))).toEqual([
      ["replicationcontrollers"],
      ["deployments", "replicasets", "statefulsets", "daemonsets"],
      ["jobs"],
    ]);
    expect(at(one(objects, "ValidatingAdmissionPolicy", "deny-cronjobs"), "spec.variables.0")).toEqual({ name: "spec", expression: "object.spec.jobTemplate.spec.template.spec" });
    expect(at(one(objects, "ValidatingAdmissionPolicy", "deny-cronjobs"), "spec.matchConditions.0")).toEqual({
      name: "has-pod-template",
      expression: "has(object.spec) && has(object.spec.jobTemplate) && has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template) && has(object.spec.jobTemplate.spec.template.spec)",
    });
  });

  it("--name-prefix names every object and every binding's policyName", () => {
    const result = generatePolicies(BUILTIN_RULES, DEFAULT_POLICY, { namePrefix: "acme-" });
    if (!result.ok) throw new Error("unexpected");
    expect(result.value.objects.every((object) => String(at(object, "metadata.name")).startsWith("acme-"))).toBe(true);
    expect(ofKind(result.value.objects, "ValidatingAdmissionPolicyBinding").every((binding) => String(at(binding, "spec.policyName")).startsWith("acme-"))).toBe(true);
  });
});

describe("actions", () => {
  it.each([
    ["deny", ["Deny"]],
    ["warn", ["Warn"]],
    ["audit", ["Audit"]],
  ])("%s binds with validationActions %j", (action, expected) => {
    const objects = generate(policyOf(`rules: {host-network: ${action}, host-port: off, tcp-only: off}`));
    expect(names(objects, "ValidatingAdmissionPolicy")).toEqual(["pods", "podtemplates", "workloads", "cronjobs"].map((scope) => `netguard-${action}-${scope}`));
    expect(at(one(objects, "ValidatingAdmissionPolicyBinding", `${action}-pods`), "spec.validationActions")).toEqual(expected);
  });

  it("off generates nothing for the rule and says so", () => {
    const result = generatePolicies(BUILTIN_RULES, policyOf("rules: {host-port: off}"), { namePrefix: "netguard-" });
    if (!result.ok) throw new Error("unexpected");
    expect(JSON.stringify(result.value.objects)).not.toContain("host-port");
    expect(result.value.notes).toContain("host-port is off: no policy generated");
  });

  it("overrides split a rule by namespace: one policy per action, each validating only where its action is in force (first override wins)", () => {
    const objects = generate(
      policyOf(`
rules: {host-port: deny}
overrides:
  - namespaces: ["kube-*"]
    rules: {tcp-only: warn}
  - namespaces: ["dev-*", "sandbox"]
    namespaceSelector: {matchLabels: {team: a}}
    rules: {host-port: warn}
`),
    );
    expect(names(objects, "ValidatingAdmissionPolicy").filter((name) => name.endsWith("-pods"))).toEqual(["netguard-deny-pods", "netguard-warn-pods"]);
    const first = "(request.namespace.matches('^(?:kube-.*)$'))";
    const second = "(request.namespace.matches('^(?:dev-.*|sandbox)$') && ('team' in variables.namespaceLabels && variables.namespaceLabels['team'] in ['a']))";
    const warn = one(objects, "ValidatingAdmissionPolicy", "warn-pods");
    expect(at(warn, "metadata.annotations")).toEqual({ [RULES_ANNOTATION]: "host-port,tcp-only" });
    const variables = Object.fromEntries(list(warn, "spec.variables").map((variable) => [at(variable, "name"), at(variable, "expression")]));
    expect(Object.keys(variables)).toEqual(["spec", "namespaceLabels", "hostPortOffends", "hostPortOffendsAnew", "hostPortViolations", "hostPortApplies", "tcpOnlyOffends", "tcpOnlyOffendsAnew", "tcpOnlyViolations", "tcpOnlyApplies"]);
    expect(variables["hostPortApplies"]).toBe(`(!${first} && ${second})`);
    expect(variables["tcpOnlyApplies"]).toBe(`(${first})`);
    expect(at(warn, "spec.validations.0.expression")).toBe("!variables.hostPortOffends || !variables.hostPortOffendsAnew || !variables.hostPortApplies");
    const deny = Object.fromEntries(list(one(objects, "ValidatingAdmissionPolicy", "deny-pods"), "spec.variables").map((variable) => [at(variable, "name"), at(variable, "expression")]));
    expect(deny["hostPortApplies"]).toBe(`!((!${first} && ${second}))`);
    // A rule no override names has no namespace condition.
    expect(deny["hostNetworkApplies"]).toBeUndefined();
    expect(at(one(objects, "ValidatingAdmissionPolicyBinding", "warn-pods"), "spec.validationActions")).toEqual(["Warn"]);
  });
});

describe("exemptions", () => {
  it("an exemption with an expiry is refused, naming it (CEL has no clock); one limited to ingress-policy is fine", () => {
    const refused = generatePolicies(BUILTIN_RULES, policyOf('exemptions:\n  - {reason: "migration", rules: [host-port], expires: 2027-01-31}\n  - {reason: "later", rules: [ingress-policy], expires: 2027-01-31}'), { namePrefix: "" });
    expect(refused).toEqual({
      ok: false,
      errors: [
        'exemptions[0] ("migration") expires on 2027-01-31: a ValidatingAdmissionPolicy has no clock, so it would never end; remove expires (and the exemption when it is due), or limit the exemption to ingress-policy, which only the webhook enforces',
      ],
    });
  });

  it("an exemption of some of a policy's rules is read by those rules' validations; owners are followed only for the controllers' own CREATE", () => {
    const objects = generate(policyOf('exemptions:\n  - {reason: "agents", rules: [host-network], namespaces: ["infra-*"], kinds: [Deployment], names: ["agent*"]}'));
    const workloads = one(objects, "ValidatingAdmissionPolicy", "deny-workloads");
    expect(at(workloads, "spec.matchConditions")).toEqual([{ name: "has-pod-template", expression: "has(object.spec) && has(object.spec.template) && has(object.spec.template.spec)" }]);
    const exempt = (policy: unknown): string => String(list(policy, "spec.variables").map((variable) => variable as { name: string; expression: string }).find((variable) => variable.name === "hostNetworkExempt")?.expression);
    expect(exempt(workloads).startsWith("(request.namespace.matches('^(?:infra-.*)$') && ((request.kind.kind in ['Deployment'] && object.metadata.name.matches('^(?:agent.*)$')) || (request.operation == 'CREATE' && request.userInfo.username in [")).toBe(true);
    // The Deployment's ReplicaSets directly; its Pods through a ReplicaSet named <deployment>-<pod-template-hash>.
    expect(exempt(workloads)).toContain("(request.kind.kind == 'ReplicaSet' && r.kind == 'Deployment' && r.name.matches('^(?:agent.*)$'))");
    expect(at(workloads, "spec.validations.0.expression")).toBe("!variables.hostNetworkOffends || !variables.hostNetworkOffendsAnew || variables.hostNetworkExempt");
    const pods = exempt(one(objects, "ValidatingAdmissionPolicy", "deny-pods"));
    expect(pods).toContain("r.kind == 'ReplicaSet' && has(object.metadata.labels) && 'pod-template-hash' in object.metadata.labels");
    expect(pods).not.toContain("request.kind.kind in ['Deployment']");
    // Other rules are not exempted.
    expect(at(workloads, "spec.validations.1.expression")).toBe("!variables.hostPortOffends || !variables.hostPortOffendsAnew");
  });

  it("an exemption of every rule of a policy skips the whole policy (a matchCondition)", () => {
    const objects = generate(policyOf('exemptions:\n  - {reason: "agents", namespaces: ["infra"]}\n  - {reason: "ports", rules: [tcp-only], namespaces: ["edge"]}'));
    expect(at(one(objects, "ValidatingAdmissionPolicy", "deny-pods"), "spec.matchConditions")).toEqual([{ name: "not-exempt-0", expression: "!(request.namespace.matches('^(?:infra)$'))" }]);
    // tcp-only is the Service policy's only rule: its own exemption skips that policy too.
    expect(at(one(objects, "ValidatingAdmissionPolicy", "deny-services"), "spec.matchConditions")).toEqual([
      { name: "not-exempt-0", expression: "!(request.namespace.matches('^(?:infra)$'))" },
      { name: "not-exempt-1", expression: "!(request.namespace.matches('^(?:edge)$'))" },
    ]);
  });

  it("annotation exemptions are read per rule, and only when the policy allows them", () => {
    expect(JSON.stringify(generate())).not.toContain("netguard.io/exempt");
    const services = one(generate(policyOf("annotationExemptions: true")), "ValidatingAdmissionPolicy", "deny-services");
    expect(list(services, "spec.variables").find((variable) => at(variable, "name") === "tcpOnlyExempt")).toEqual({
      name: "tcpOnlyExempt",
      expression:
        "(has(object.metadata.annotations) && 'netguard.io/exempt' in object.metadata.annotations && object.metadata.annotations['netguard.io/exempt'].split(',').exists(x, x.trim() == 'tcp-only') && " +
        "'netguard.io/exempt-reason' in object.metadata.annotations && object.metadata.annotations['netguard.io/exempt-reason'].trim() != '')",
    });
    expect(at(services, "spec.validations.0.expression")).toBe("!variables.tcpOnlyOffends || !variables.tcpOnlyOffendsAnew || variables.tcpOnlyExempt");
  });
});

describe("globs as RE2 patterns", () => {
  it.each([
    ["dev-*", "dev-.*"],
    ["a?c", "a.c"],
    ["team.a+(b)", "team\\.a\\+\\(b\\)"],
    ["*", ".*"],
  ])("%s → %s", (glob, pattern) => {
    expect(globPattern(glob)).toBe(pattern);
  });
});

describe.skipIf(!hasKubectl())("the install", () => {
  it("the policies skip the namespaces the installed webhook skips", () => {
    const webhook = one(kustomize(ROOT).objects, "ValidatingWebhookConfiguration");
    for (const entry of list(webhook, "webhooks")) {
      expect(at(entry, "namespaceSelector.matchExpressions")).toEqual([
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...EXCLUDED_NAMESPACES] },
        { key: "netguard.io/ignore", operator: "DoesNotExist" },
      ]);
    }
  });

  it("config/with-vap installs netguard plus exactly config/vap's objects, names unchanged", () => {
    const withVap = kustomize(join(ROOT, "config", "with-vap")).objects;
    const plain = kustomize(ROOT).objects;
    const generated = ofKind(withVap, "ValidatingAdmissionPolicy").concat(ofKind(withVap, "ValidatingAdmissionPolicyBinding"));
    expect(withVap.length).toBe(plain.length + generated.length);
    expect(names(withVap, "ValidatingAdmissionPolicy").sort()).toEqual(names(generate(policyOf(readFileSync(join(ROOT, "config", "policy", "policy.yaml"), "utf8"))), "ValidatingAdmissionPolicy").sort());
  });
});

describe("the generated CEL says nothing that is always true", () => {
  it("no expression compares a string literal with itself (a check whose key has no fields compares nothing)", () => {
    const text = JSON.stringify(generate(policyOf("rules:\n  host-port: {action: deny, allowedHostPorts: [{port: 9100}]}\n  tcp-only: {action: deny, allowedProtocols: [TCP, UDP]}\n")));
    const selfComparisons = [...text.matchAll(/('(?:[^'\\]|\\.)*') == ('(?:[^'\\]|\\.)*')/g)].filter((match) => match[1] === match[2]).map((match) => match[0]);
    expect(selfComparisons).toEqual([]);
    // The pod-spec check still compares the old object (it is there: only the constant key is gone).
    expect(text).toContain("oldObject.spec.hostNetwork");
    // An exemption with no kind or name exempts the namespace's objects outright: no "true || owners".
    const exempt = JSON.stringify(generate(policyOf('exemptions:\n  - {reason: "agents", namespaces: ["infra"]}')));
    expect(exempt.match(/\btrue \|\||\|\| true\b|\(true\)/g)).toBeNull();
  });
});
