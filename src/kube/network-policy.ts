import { asObject, showValue } from "./fields.js";
import { compileSelector, selects, type LabelSelector } from "./label-selector.js";
import type { KubeObject, Parsed } from "./object.js";
import { addProblem, type FieldProblem } from "./problem.js";
import { networkPolicyOpening, type OpenIngress } from "./open-ingress.js";
import { readProtocol } from "./pod-template.js";

/** A NetworkPolicy reduced to what coverage needs, with the API server's defaulting applied. */
export interface NetworkPolicyFacts {
  readonly name: string;
  readonly namespace: string;
  readonly policyTypes: readonly string[];
  /** True when policyTypes was absent and we derived it as the API server would. */
  readonly policyTypesDefaulted: boolean;
  readonly podSelector: Parsed<LabelSelector>;
  /** Why the API server would refuse this policy's policyTypes; such a policy covers nothing. */
  readonly policyTypesError?: string;
  /** The first ingress rule open to every source on every port, when the policy governs ingress. */
  readonly opening?: OpenIngress;
}

/** One port entry of an ingress or egress rule, protocol defaulted to TCP. */
export interface PolicyPortView {
  readonly path: string;
  /** The rule list the port sits in. */
  readonly direction: PolicyDirection;
  /** A number, a named container port, or undefined for all ports. */
  readonly port: number | string | undefined;
  readonly protocol: string;
}

/** The rule lists of a NetworkPolicy spec, each rule with a ports list. */
export const POLICY_DIRECTIONS = ["ingress", "egress"] as const;

/** Which rule list a NetworkPolicy port sits in. */
export type PolicyDirection = (typeof POLICY_DIRECTIONS)[number];

/** Whether an object is a networking.k8s.io NetworkPolicy. */
export function isNetworkPolicy(object: KubeObject): boolean {
  return object.ref.kind === "NetworkPolicy" && object.ref.apiVersion === "networking.k8s.io/v1";
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
  const policyTypesError = policyTypesProblem(declared);
  const opening = policyTypesError === undefined && policyTypes.includes("Ingress") ? networkPolicyOpening(spec, `NetworkPolicy "${object.ref.name}"`) : undefined;
  return {
    name: object.ref.name,
    namespace: object.ref.namespace ?? fallbackNamespace,
    policyTypes,
    policyTypesDefaulted,
    ...(policyTypesError === undefined ? {} : { policyTypesError }),
    ...(opening === undefined ? {} : { opening }),
    podSelector: compileSelector(spec["podSelector"], "spec.podSelector"),
  };
}

/** Whether the policy isolates the pods it selects for ingress (one the API server would refuse isolates nothing). */
export function governsIngress(policy: NetworkPolicyFacts): boolean {
  return policy.policyTypesError === undefined && policy.policyTypes.includes("Ingress");
}

/**
 * The API server refuses policyTypes that is not a list of "Ingress"/"Egress" (ValidateNetworkPolicySpec);
 * read as absent it would default to Ingress and count as coverage it never gives.
 */
function policyTypesProblem(declared: unknown): string | undefined {
  if (declared === undefined || declared === null) return undefined;
  if (!Array.isArray(declared)) return `must be a list such as [Ingress], not ${showValue(declared)} (the API server refuses it; not counted as coverage)`;
  const bad: unknown = (declared as unknown[]).find((entry) => entry !== "Ingress" && entry !== "Egress");
  return bad === undefined ? undefined : `${showValue(bad)} is not a policy type (Ingress, Egress); the API server refuses it; not counted as coverage`;
}

/** NetworkPolicy is served as networking.k8s.io/v1 only; another version is refused by the API server. */
export function isUnservedNetworkPolicyVersion(object: KubeObject): boolean {
  return object.ref.kind === "NetworkPolicy" && object.ref.apiVersion.startsWith("networking.k8s.io/") && object.ref.apiVersion !== "networking.k8s.io/v1";
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
  for (const direction of POLICY_DIRECTIONS) {
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
        // NetworkPolicyPort.protocol is a pointer: only an absent one is defaulted, "" is refused by the API server.
        if (port["protocol"] === "") addProblem(problems, { field: `${path}.protocol`, message: 'must be TCP, UDP or SCTP: the API server defaults only an absent protocol here and refuses ""' });
        const protocol = readProtocol(port["protocol"], `${path}.protocol`, problems);
        const value = port["port"];
        ports.push({ path, direction, port: typeof value === "number" || typeof value === "string" ? value : undefined, protocol: protocol ?? "TCP" });
      });
    });
  }
  return { ports, problems };
}
