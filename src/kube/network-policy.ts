import { asObject } from "./fields.js";
import { compileSelector, selects, type LabelSelector } from "./label-selector.js";
import type { KubeObject, Parsed } from "./object.js";
import { addProblem, type FieldProblem } from "./problem.js";
import { readProtocol } from "./pod-template.js";

/** A NetworkPolicy reduced to what coverage needs, with the API server's defaulting applied. */
export interface NetworkPolicyFacts {
  readonly name: string;
  readonly namespace: string;
  readonly policyTypes: readonly string[];
  /** True when policyTypes was absent and we derived it as the API server would. */
  readonly policyTypesDefaulted: boolean;
  readonly podSelector: Parsed<LabelSelector>;
}

/** One port entry of an ingress or egress rule, protocol defaulted to TCP. */
export interface PolicyPortView {
  readonly path: string;
  /** A number, a named container port, or undefined for all ports. */
  readonly port: number | string | undefined;
  readonly protocol: string;
}

/** Whether an object is a networking.k8s.io NetworkPolicy. */
export function isNetworkPolicy(object: KubeObject): boolean {
  return object.ref.kind === "NetworkPolicy" && object.ref.apiVersion.startsWith("networking.k8s.io/");
}

/** Reads a NetworkPolicy's selection facts; an invalid selector is kept as an error, never dropped. */
export function readNetworkPolicy(object: KubeObject, fallbackNamespace: string): NetworkPolicyFacts {
  const spec = asObject(object.body["spec"]) ?? {};
  const declared = spec["policyTypes"];
  const hasEgressRules = Array.isArray(spec["egress"]) && spec["egress"].length > 0;
  const explicit = Array.isArray(declared) ? declared.filter((t): t is string => typeof t === "string") : [];
  // SetDefaults_NetworkPolicy: no policyTypes means Ingress, plus Egress only when egress rules exist.
  const policyTypesDefaulted = explicit.length === 0;
  const policyTypes = policyTypesDefaulted ? (hasEgressRules ? ["Ingress", "Egress"] : ["Ingress"]) : explicit;
  return {
    name: object.ref.name,
    namespace: object.ref.namespace ?? fallbackNamespace,
    policyTypes,
    policyTypesDefaulted,
    podSelector: compileSelector(spec["podSelector"], "spec.podSelector"),
  };
}

/** Whether the policy isolates the pods it selects for ingress. */
export function governsIngress(policy: NetworkPolicyFacts): boolean {
  return policy.policyTypes.includes("Ingress");
}

/** Whether any of a namespace's policies isolates pods with these labels for ingress. */
export function coversForIngress(policies: readonly NetworkPolicyFacts[], labels: Readonly<Record<string, string>>): boolean {
  return policies.some((p) => governsIngress(p) && p.podSelector.ok && selects(p.podSelector.value, labels));
}

/** Lists the ports of every ingress and egress rule of a NetworkPolicy, for the protocol rule. */
export function readPolicyPorts(object: KubeObject): { ports: PolicyPortView[]; problems: FieldProblem[] } {
  const spec = asObject(object.body["spec"]) ?? {};
  const ports: PolicyPortView[] = [];
  const problems: FieldProblem[] = [];
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: unknown, ruleIndex) => {
      const entries = asObject(rule)?.["ports"];
      if (!Array.isArray(entries)) return;
      entries.forEach((entry: unknown, portIndex) => {
        const path = `spec.${direction}[${ruleIndex}].ports[${portIndex}]`;
        const port = asObject(entry);
        if (port === undefined) {
          addProblem(problems, { field: path, message: "must be a mapping" });
          return;
        }
        const protocol = readProtocol(port["protocol"], `${path}.protocol`, problems);
        const value = port["port"];
        ports.push({ path, port: typeof value === "number" || typeof value === "string" ? value : undefined, protocol: protocol ?? "TCP" });
      });
    });
  }
  return { ports, problems };
}
