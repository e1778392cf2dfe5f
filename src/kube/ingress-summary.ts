import { asObject, asString, isAbsentOrEmpty, showValue } from "./fields.js";
import { compileSelector, describeRequirement } from "./label-selector.js";
import type { KubeObject } from "./object.js";

/** One ingress rule of a policy, summarised for `netguard explain`: what it does, from whom, on which ports. */
export interface IngressRuleSummary {
  readonly rule: string;
  readonly action: "allow" | "deny" | "pass" | "log";
  readonly from: string;
  readonly ports: string;
}

/** Rules summarised per policy at most; a policy with more says how many it left out. */
export const MAX_SUMMARISED_RULES = 20;

/** What a summary says of a field it cannot read: the API server would refuse it, explain still answers. */
const UNREADABLE = "(unreadable)";

/** The ingress rules of a NetworkPolicy, Cilium, Calico or network-policy-api object, at most MAX_SUMMARISED_RULES. */
export function summariseIngress(object: KubeObject): { readonly rules: readonly IngressRuleSummary[]; readonly omitted: number } {
  const spec = asObject(object.body["spec"]) ?? {};
  const group = object.ref.apiVersion.split("/")[0] ?? "";
  const rules: IngressRuleSummary[] = [];
  let total = 0;
  const add = (summary: () => IngressRuleSummary): void => {
    total += 1;
    if (rules.length < MAX_SUMMARISED_RULES) rules.push(summary());
  };
  if (group === "networking.k8s.io") {
    listOf(spec["ingress"]).forEach((rule, index) => add(() => networkPolicyRule(asObject(rule) ?? {}, `spec.ingress[${String(index)}]`)));
  } else if (group === "cilium.io") {
    const entries: [unknown, string][] = [[object.body["spec"], "spec"], ...listOf(object.body["specs"]).map((entry, index): [unknown, string] => [entry, `specs[${String(index)}]`])];
    for (const [entry, path] of entries) {
      const rule = asObject(entry);
      if (rule === undefined) continue;
      for (const [key, action] of [["ingress", "allow"], ["ingressDeny", "deny"]] as const) {
        listOf(rule[key]).forEach((value, index) => add(() => ciliumRule(asObject(value) ?? {}, `${path}.${key}[${String(index)}]`, action)));
      }
    }
  } else if (group.endsWith("projectcalico.org")) {
    listOf(spec["ingress"]).forEach((rule, index) => add(() => calicoRule(asObject(rule) ?? {}, `spec.ingress[${String(index)}]`)));
  } else if (group === "policy.networking.k8s.io") {
    listOf(spec["ingress"]).forEach((rule, index) => add(() => networkPolicyApiRule(asObject(rule) ?? {}, `spec.ingress[${String(index)}]`)));
  }
  return { rules, omitted: total - rules.length };
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** "app=web,tier!=db" in kubectl's selector syntax; "" for an empty selector. */
function selectorText(value: unknown): string | undefined {
  const compiled = compileSelector(value, "selector");
  return compiled.ok ? compiled.value.requirements.map(describeRequirement).join(",") : undefined;
}

function networkPolicyRule(rule: Readonly<Record<string, unknown>>, path: string): IngressRuleSummary {
  const from = isAbsentOrEmpty(rule["from"]) ? "every source" : listOf(rule["from"]).map(networkPolicyPeer).join("; ");
  return { rule: path, action: "allow", from, ports: networkPolicyPorts(rule["ports"]) };
}

function networkPolicyPeer(value: unknown): string {
  const peer = asObject(value) ?? {};
  const block = asObject(peer["ipBlock"]);
  if (block !== undefined) {
    const except = listOf(block["except"]).filter((entry): entry is string => typeof entry === "string");
    return `${asString(block["cidr"]) ?? UNREADABLE}${except.length > 0 ? ` except ${except.join(", ")}` : ""}`;
  }
  const pods = peer["podSelector"] === undefined || peer["podSelector"] === null ? undefined : selectorText(peer["podSelector"]);
  const namespaces = peer["namespaceSelector"] === undefined || peer["namespaceSelector"] === null ? undefined : selectorText(peer["namespaceSelector"]);
  const who = pods === undefined || pods === "" ? "every pod" : `pods ${pods}`;
  if (peer["namespaceSelector"] === undefined || peer["namespaceSelector"] === null) return `${who} of this namespace`;
  if (namespaces === undefined) return UNREADABLE;
  return namespaces === "" ? `${who} of every namespace` : `${who} of namespaces ${namespaces}`;
}

function networkPolicyPorts(value: unknown): string {
  if (isAbsentOrEmpty(value)) return "every port";
  return listOf(value)
    .map((entry) => {
      const port = asObject(entry) ?? {};
      const protocol = asString(port["protocol"]) ?? "TCP";
      const number = port["port"];
      if (number === undefined || number === null) return `every ${protocol} port`;
      const end = port["endPort"];
      return `${showPort(number)}${typeof end === "number" ? `-${String(end)}` : ""}/${protocol}`;
    })
    .join(", ");
}

function showPort(value: unknown): string {
  return typeof value === "number" || typeof value === "string" ? String(value) : UNREADABLE;
}

/** The remaining keys of a rule in compact JSON, cut to a line: other APIs' peers are shown as written. */
function shown(rule: Readonly<Record<string, unknown>>, keys: readonly string[]): string {
  const picked = Object.fromEntries(keys.filter((key) => !isAbsentOrEmpty(rule[key])).map((key) => [key, rule[key]]));
  return Object.keys(picked).length === 0 ? "" : showValue(picked);
}

function ciliumRule(rule: Readonly<Record<string, unknown>>, path: string, action: "allow" | "deny"): IngressRuleSummary {
  const peers = Object.keys(rule).filter((key) => key.startsWith("from"));
  const from = shown(rule, peers);
  // An allow rule with no peer selects nothing (Cilium's deny-all); a deny rule with none denies nothing.
  return { rule: path, action, from: from === "" ? "nothing (no peers)" : from, ports: isAbsentOrEmpty(rule["toPorts"]) ? "every port" : shown(rule, ["toPorts"]) };
}

function calicoRule(rule: Readonly<Record<string, unknown>>, path: string): IngressRuleSummary {
  const action = rule["action"] === "Deny" ? "deny" : rule["action"] === "Pass" ? "pass" : rule["action"] === "Log" ? "log" : "allow";
  const source = asObject(rule["source"]) ?? {};
  const destination = asObject(rule["destination"]) ?? {};
  const from = shown(source, Object.keys(source));
  const ports = shown({ ...rule, ...destination }, ["protocol", "notProtocol", "ports", "notPorts", "icmp", "http"]);
  return { rule: path, action, from: from === "" ? "every source" : from, ports: ports === "" ? "every port" : ports };
}

function networkPolicyApiRule(rule: Readonly<Record<string, unknown>>, path: string): IngressRuleSummary {
  const action = rule["action"] === "Deny" ? "deny" : rule["action"] === "Pass" ? "pass" : "allow";
  const from = shown(rule, ["from"]);
  const ports = shown(rule, ["ports", "protocols"]);
  return { rule: path, action, from: from === "" ? "nothing (no peers)" : from, ports: ports === "" ? "every port" : ports };
}
