import { andSelectors, calicoSelects, parseCalicoSelector, selectorLabels, type CalicoSelector } from "../calico-selector.js";
import { asObject, asString, isAbsentOrEmpty } from "../fields.js";
import type { KubeObject } from "../object.js";
import { wholeFamilies, type OpenIngress } from "../open-ingress.js";
import { displayName, invalidPolicy, NOT_SELECTED, validPolicy, type CoveragePolicy, type CoverageSource, type CoverageVerdict, type PodIdentity } from "./source.js";

/** A tier's default for traffic no policy of it decided: Deny isolates, Pass hands on to the next tier. */
export type TierAction = "Deny" | "Pass";

/** The tiers a Calico policy may name, from Tier objects; built-in tiers need none. */
export type TierLookup = (name: string) => TierAction | undefined;

/** Built-in tiers whose defaultAction Calico fixes (api v3 tier.go). */
const BUILT_IN_TIERS: Readonly<Record<string, TierAction>> = { default: "Deny", "kube-admin": "Pass", "kube-baseline": "Pass" };

/** Reads a Tier object's name and defaultAction (absent means Deny). */
export function readTier(object: KubeObject): { name: string; action: TierAction } {
  const action = asString(asObject(object.body["spec"])?.["defaultAction"]);
  return { name: object.ref.name, action: action === "Pass" ? "Pass" : "Deny" };
}

/**
 * The labels a pod's WorkloadEndpoint carries: its own, the namespace and orchestrator, its service
 * account (names under 63 characters), and the namespace's labels under pcns. (conversion/*.go).
 */
export function calicoEndpointLabels(pod: PodIdentity, namespaceLabels: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = { ...pod.labels, "projectcalico.org/namespace": pod.namespace, "projectcalico.org/orchestrator": "k8s" };
  if (pod.serviceAccount.length < 63) labels["projectcalico.org/serviceaccount"] = pod.serviceAccount;
  for (const [key, value] of Object.entries(namespaceLabels)) labels[`pcns.${key}`] = value;
  labels["pcns.projectcalico.org/name"] = pod.namespace;
  labels["pcsa.projectcalico.org/name"] = pod.serviceAccount;
  return labels;
}

/**
 * The policy types in force: types when given; else, for projectcalico.org/v3 (defaulted by the API
 * server), Ingress unless there are egress rules and no ingress rules; for crd.projectcalico.org/v1,
 * which nothing defaults, both (Felix: "no Types means Ingress and Egress").
 */
export function calicoTypes(spec: Readonly<Record<string, unknown>>, apiVersion: string): string[] {
  const declared = spec["types"];
  if (Array.isArray(declared) && declared.length > 0) return declared.filter((type): type is string => typeof type === "string");
  if (apiVersion.startsWith("crd.projectcalico.org/")) return ["Ingress", "Egress"];
  const count = (key: string): number => (Array.isArray(spec[key]) ? (spec[key] as unknown[]).length : 0);
  if (count("egress") === 0) return ["Ingress"];
  return count("ingress") === 0 ? ["Egress"] : ["Ingress", "Egress"];
}

/** Fields of a rule, or of its source or destination, that narrow which traffic it matches. */
const RULE_NARROWING = ["protocol", "notProtocol", "icmp", "notICMP", "http", "ipVersion"];
const SOURCE_NARROWING = ["notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts", "serviceAccounts", "services"];
const DESTINATION_NARROWING = ["nets", ...SOURCE_NARROWING];

const present = (entity: Readonly<Record<string, unknown>>, key: string): boolean => !isAbsentOrEmpty(entity[key]);

/**
 * The first ingress Allow rule matching every source on every port: no source (or only nets 0.0.0.0/0
 * and ::/0), no destination narrowing, no protocol; a Deny or Pass rule before it in the same policy
 * acts on some traffic first, so what follows it is not open to all (rules are ordered, v3 policy_common.go).
 */
export function calicoOpening(rules: unknown, display: string): OpenIngress | undefined {
  if (!Array.isArray(rules)) return undefined;
  for (const [index, value] of rules.entries()) {
    const rule = asObject(value) ?? {};
    const action = rule["action"];
    if (action === "Deny" || action === "Pass") return undefined;
    if (action !== "Allow" || RULE_NARROWING.some((key) => present(rule, key))) continue;
    const source = asObject(rule["source"]) ?? {};
    const destination = asObject(rule["destination"]) ?? {};
    if (SOURCE_NARROWING.some((key) => present(source, key)) || DESTINATION_NARROWING.some((key) => present(destination, key))) continue;
    const nets = Array.isArray(source["nets"]) ? (source["nets"] as unknown[]).filter((net): net is string => typeof net === "string") : [];
    const families = wholeFamilies(nets);
    if (nets.length > 0 && !(families.v4 && families.v6)) continue;
    return { policy: display, rule: `spec.ingress[${String(index)}]`, why: nets.length === 0 ? "Allow with no source, no ports" : "Allow from 0.0.0.0/0 and ::/0, no ports" };
  }
  return undefined;
}

function selector(value: unknown, field: string): { ok: true; value: CalicoSelector | undefined } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== "string") return { ok: false, error: `${field} must be a string` };
  const parsed = parseCalicoSelector(value);
  return parsed.ok ? parsed : { ok: false, error: `${field}: ${parsed.error}` };
}

/** Reads a Calico NetworkPolicy or GlobalNetworkPolicy (projectcalico.org/v3 or crd.projectcalico.org/v1). */
export function readCalicoPolicy(object: KubeObject, source: CoverageSource, defaultNamespace: string, tiers: TierLookup): CoveragePolicy {
  const global = source === "projectcalico.org/GlobalNetworkPolicy";
  const namespace = global ? undefined : (object.ref.namespace ?? defaultNamespace);
  const display = displayName(`Calico ${object.ref.kind}`, namespace, object.ref.name);
  const spec = asObject(object.body["spec"]) ?? {};
  const main = selector(spec["selector"], "spec.selector");
  const namespaces = selector(spec["namespaceSelector"], "spec.namespaceSelector");
  const accounts = selector(spec["serviceAccountSelector"], "spec.serviceAccountSelector");
  for (const parsed of [main, namespaces, accounts]) if (!parsed.ok) return invalidPolicy(source, display, namespace, parsed.error);
  if (!main.ok || !namespaces.ok || !accounts.ok) return invalidPolicy(source, display, namespace, "unreadable selector");
  const types = calicoTypes(spec, object.ref.apiVersion);
  const tier = asString(spec["tier"]) ?? "default";
  // Asked at judge time, so a cache sees a Tier that changes later. A tier that does not exist leaves its
  // policies with an empty defaultAction, which Felix treats as Deny.
  const tierAction = (): TierAction => BUILT_IN_TIERS[tier] ?? tiers(tier) ?? "Deny";
  const hostOnly = spec["doNotTrack"] === true ? "doNotTrack" : spec["preDNAT"] === true ? "preDNAT" : undefined;
  // A namespaced policy's selector ranges over its own namespace's workloads.
  const scoped = namespace === undefined ? main.value : andSelectors(main.value ?? { op: "all" }, { op: "eq", label: "projectcalico.org/namespace", value: namespace });
  const opening = types.includes("Ingress") && hostOnly === undefined ? calicoOpening(spec["ingress"], display) : undefined;
  const open = opening === undefined ? {} : { opening };
  return validPolicy(source, display, namespace, (pod, namespaceLabels): CoverageVerdict => {
    if (scoped !== undefined && !calicoSelects(scoped, calicoEndpointLabels(pod, namespaceLabels))) return NOT_SELECTED;
    if (namespaces.value !== undefined && !calicoSelects(namespaces.value, { ...namespaceLabels, "projectcalico.org/name": pod.namespace })) return NOT_SELECTED;
    // Service accounts' own labels are not known here: only their name can be selected on.
    if (accounts.value !== undefined && !calicoSelects(accounts.value, { "projectcalico.org/name": pod.serviceAccount })) return NOT_SELECTED;
    if (hostOnly !== undefined) return { covers: false, nearMiss: `${display} selects these pods but sets ${hostOnly}: true, which applies to host endpoints only` };
    if (!types.includes("Ingress")) return { covers: false, nearMiss: `${display} selects these pods but its types are [${types.join(", ")}] (no Ingress)` };
    // An Allow is final whatever the tier's defaultAction: an opening rule opens in a Pass tier too.
    if (tierAction() === "Pass") return { covers: false, nearMiss: `${display} is in tier ${tier} whose defaultAction is Pass: traffic it does not decide passes on`, ...open };
    return { covers: true, ...open };
  }, accounts.value !== undefined || (main.value !== undefined && selectorLabels(main.value).some((label) => label === "projectcalico.org/serviceaccount" || label.startsWith("pcsa."))));
}
