import { asObject, isAbsentOrEmpty } from "../fields.js";
import { compileSelector, requirementHolds, type LabelSelector, type Requirement } from "../label-selector.js";
import type { KubeObject } from "../object.js";
import { wholeFamilies, type OpenIngress } from "../open-ingress.js";
import { displayName, invalidPolicy, NOT_SELECTED, validPolicy, type CoveragePolicy, type CoverageSource, type CoverageVerdict, type PodIdentity } from "./source.js";

const NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
const NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";
const SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";
const CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
/** Cilium's cluster-name when none is configured. */
const DEFAULT_CLUSTER = "default";

/**
 * Label keys Cilium leaves out of security identities by default (pkg/labelsfilter): a selector on one
 * of them selects nothing, so matching raw pod labels would call such a pod covered when it is not.
 */
const IGNORED_PREFIXES = ["io.kubernetes", "kubernetes.io", "k8s.io", "topology.kubernetes.io", "annotation."];
const IGNORED_KEYS = [
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "batch.kubernetes.io/job-completion-index",
  "batch.kubernetes.io/controller-uid",
  "pod-template-generation",
  "pod-template-hash",
  "controller-revision-hash",
  "controller-uid",
  "etcd_node",
];

/** The labels of a pod's Cilium endpoint identity (source k8s), as endpointSelectors see them. */
export function ciliumLabels(pod: PodIdentity, namespaceLabels: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(pod.labels)) {
    if (key.startsWith("io.cilium.k8s")) continue;
    const kept = key.startsWith("app.kubernetes.io");
    if (!kept && (IGNORED_KEYS.includes(key) || IGNORED_PREFIXES.some((prefix) => key.startsWith(prefix)) || key.includes("beta.kubernetes.io"))) continue;
    labels[key] = value;
  }
  labels[NAMESPACE_LABEL] = pod.namespace;
  for (const [key, value] of Object.entries(namespaceLabels)) labels[`${NAMESPACE_LABELS_PREFIX}${key}`] = value;
  labels[SERVICE_ACCOUNT_LABEL] = pod.serviceAccount;
  labels[CLUSTER_LABEL] = DEFAULT_CLUSTER;
  return labels;
}

/**
 * A selector key's source: none, "any:" and "k8s:" match a pod's labels; any other source
 * ("reserved:", "container:", "$host") never names a pod label, so it reads as absent.
 */
function podKey(key: string): string | undefined {
  if (key.startsWith("$")) return undefined;
  const colon = key.indexOf(":");
  if (colon < 0) return key;
  const source = key.slice(0, colon);
  return source === "k8s" || source === "any" ? key.slice(colon + 1) : undefined;
}

function selectsLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((requirement) => {
    const key = podKey(requirement.key);
    const mapped: Requirement = { ...requirement, key: key ?? "\u0000not-a-pod-label" };
    return requirementHolds(mapped, labels);
  });
}

/** One rule of spec/specs, reduced to what coverage needs. */
interface CiliumRule {
  readonly endpointSelector: LabelSelector | undefined;
  readonly hasIngress: boolean;
  readonly defaultDenyOff: boolean;
  /** Its first ingress rule open to everything, unless the same rule also denies some ingress. */
  readonly opening: OpenIngress | undefined;
}

/** Keys of an ingress rule that narrow it to some ports, protocols or authenticated peers. */
const NARROWING_KEYS = ["toPorts", "icmps", "fromRequires", "authentication"];

/**
 * The first ingress rule admitting every source on every port: fromEntities all, or the world (world,
 * both of world-ipv4 and world-ipv6, or CIDRs 0.0.0.0/0 and ::/0) together with the cluster (cluster, or
 * in a clusterwide policy fromEndpoints [{}]), with nothing narrowing it (policy/api/rule.go, entity.go).
 */
function ciliumOpening(rules: readonly unknown[], path: string, display: string, clusterwide: boolean): OpenIngress | undefined {
  for (const [index, value] of rules.entries()) {
    const rule = asObject(value);
    if (rule === undefined) continue;
    const narrowed = NARROWING_KEYS.some((key) => !isAbsentOrEmpty(rule[key]));
    if (narrowed) continue;
    const strings = (key: string): string[] => (Array.isArray(rule[key]) ? (rule[key] as unknown[]).filter((entry): entry is string => typeof entry === "string") : []);
    const entities = strings("fromEntities");
    const cidrs = [...strings("fromCIDR"), ...(Array.isArray(rule["fromCIDRSet"]) ? (rule["fromCIDRSet"] as unknown[]).flatMap(wholeCidr) : [])];
    const families = wholeFamilies(cidrs);
    const world = entities.includes("world") || (entities.includes("world-ipv4") && entities.includes("world-ipv6")) || (families.v4 && families.v6);
    const endpoints = Array.isArray(rule["fromEndpoints"]) ? (rule["fromEndpoints"] as unknown[]) : [];
    const everyEndpoint = clusterwide && endpoints.some((selector) => { const read = compileSelector(selector, "fromEndpoints"); return read.ok && read.value.requirements.length === 0; });
    const cluster = entities.includes("cluster") || everyEndpoint;
    const at = `${path}.ingress[${String(index)}]`;
    if (entities.includes("all")) return { policy: display, rule: at, why: "fromEntities all, no toPorts" };
    if (world && cluster) return { policy: display, rule: at, why: "from the world and the cluster, no toPorts" };
  }
  return undefined;
}

function wholeCidr(entry: unknown): string[] {
  const set = asObject(entry);
  const cidr = set?.["cidr"];
  const except = set?.["except"];
  return typeof cidr === "string" && isAbsentOrEmpty(except) ? [cidr] : [];
}

function readRule(value: unknown, path: string, clusterwide: boolean, namespace: string | undefined, display: string): { ok: true; rule: CiliumRule } | { ok: false; error: string } {
  const rule = asObject(value);
  if (rule === undefined) return { ok: false, error: `${path} must be a mapping` };
  const endpoint = rule["endpointSelector"];
  const node = rule["nodeSelector"];
  if ((endpoint === undefined) === (node === undefined)) return { ok: false, error: `${path} needs exactly one of endpointSelector and nodeSelector` };
  if (node !== undefined && !clusterwide) return { ok: false, error: `${path}.nodeSelector is allowed only in a CiliumClusterwideNetworkPolicy` };
  const nonEmpty = (key: string): boolean => Array.isArray(rule[key]) && (rule[key] as unknown[]).length > 0;
  // Cilium 1.18+ refuses a rule with no section at all, and with it the whole policy.
  if (!["ingress", "ingressDeny", "egress", "egressDeny"].some(nonEmpty)) return { ok: false, error: `${path} has none of ingress, ingressDeny, egress, egressDeny` };
  let endpointSelector: LabelSelector | undefined;
  if (endpoint !== undefined) {
    const compiled = compileSelector(endpoint, `${path}.endpointSelector`);
    if (!compiled.ok) return { ok: false, error: compiled.error };
    // A namespaced policy is confined to its namespace: the namespace match overwrites the user's value for that key.
    endpointSelector =
      namespace === undefined
        ? compiled.value
        : {
            requirements: [
              ...compiled.value.requirements.filter((requirement) => !(requirement.fromMatchLabels && requirement.key === `k8s:${NAMESPACE_LABEL}`)),
              { key: NAMESPACE_LABEL, operator: "In", values: [namespace], fromMatchLabels: true },
            ],
          };
  }
  const ingress = asObject(rule["enableDefaultDeny"])?.["ingress"];
  // A deny rule beside it takes precedence over every allow (deny policies), so the rule is no longer open to all.
  const opening = nonEmpty("ingressDeny") || !Array.isArray(rule["ingress"]) ? undefined : ciliumOpening(rule["ingress"] as unknown[], path, display, clusterwide);
  return { ok: true, rule: { endpointSelector, hasIngress: nonEmpty("ingress") || nonEmpty("ingressDeny"), defaultDenyOff: ingress === false, opening } };
}

/** Reads a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy; one bad rule drops the whole object, as Cilium does. */
export function readCiliumPolicy(object: KubeObject, source: CoverageSource, defaultNamespace: string): CoveragePolicy {
  const clusterwide = source === "cilium.io/CiliumClusterwideNetworkPolicy";
  const namespace = clusterwide ? undefined : (object.ref.namespace ?? defaultNamespace);
  const display = displayName(object.ref.kind, namespace, object.ref.name);
  const entries: [unknown, string][] = [];
  if (object.body["spec"] !== undefined && object.body["spec"] !== null) entries.push([object.body["spec"], "spec"]);
  const specs = object.body["specs"];
  if (specs !== undefined && specs !== null) {
    if (!Array.isArray(specs)) return invalidPolicy(source, display, namespace, "specs must be a list of rules");
    specs.forEach((rule: unknown, index) => entries.push([rule, `specs[${String(index)}]`]));
  }
  if (entries.length === 0) return invalidPolicy(source, display, namespace, "it has neither spec nor specs");
  const rules: CiliumRule[] = [];
  for (const [value, path] of entries) {
    const read = readRule(value, path, clusterwide, namespace, display);
    if (!read.ok) return invalidPolicy(source, display, namespace, read.error);
    rules.push(read.rule);
  }
  return validPolicy(source, display, namespace, (pod, namespaceLabels): CoverageVerdict => {
    if (namespace !== undefined && namespace !== pod.namespace) return NOT_SELECTED;
    const labels = ciliumLabels(pod, namespaceLabels);
    // nodeSelector rules (no endpointSelector) are host policies: they never select a pod.
    const selecting = rules.filter((rule) => rule.endpointSelector !== undefined && selectsLabels(rule.endpointSelector, labels));
    const opening = selecting.find((rule) => rule.opening !== undefined)?.opening;
    const open = opening === undefined ? {} : { opening };
    if (selecting.some((rule) => rule.hasIngress && !rule.defaultDenyOff)) return { covers: true, ...open };
    if (selecting.length === 0) return NOT_SELECTED;
    const why = selecting.some((rule) => rule.hasIngress) ? "sets enableDefaultDeny.ingress: false (it does not isolate them)" : "has no ingress or ingressDeny section";
    return { covers: false, nearMiss: `${display} selects these pods but ${why}`, ...open };
  }, rules.some((rule) => rule.endpointSelector?.requirements.some((requirement) => podKey(requirement.key) === SERVICE_ACCOUNT_LABEL) === true));
}
