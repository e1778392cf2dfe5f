import type { Action, RuleId } from "../engine/rule-id.js";
import { isObject } from "../kube/fields.js";
import { compileSelector, type LabelSelector } from "../kube/label-selector.js";
import { SOURCE_NAMES, sourceNamed, type CoverageSource } from "../kube/coverage/source.js";

/** A rule's action in policy; "off" means the rule does not run at all. */
export type ActionSetting = Action | "off";

/** How ingress-policy decides when coverage cannot be verified (cache not synced, live read failed). */
export type UnverifiedCoverage = "deny" | "allow";

/** Whether a pod opened to every source on every port by a policy selecting it counts as covered (count) or is a finding (flag). */
export type OpenIngressSetting = "count" | "flag";

/** Which objects ingress-policy denies at admission: Pods only (default) or the workloads too. */
export type EnforceOn = "pods" | "workloads";

/** Per-rule settings; the options beyond action belong to one rule each. */
export interface RuleSettings {
  readonly "host-network": { readonly action: ActionSetting };
  readonly "host-port": { readonly action: ActionSetting; readonly allowedHostPorts: readonly HostPortRange[] };
  readonly "tcp-only": { readonly action: ActionSetting; readonly allowedProtocols: readonly string[] };
  readonly "ingress-policy": {
    readonly action: ActionSetting;
    readonly enforceOn: EnforceOn;
    readonly whenUnverified: UnverifiedCoverage;
    /** What a NetworkPolicy delete or edit that leaves non-terminating Pods without ingress coverage gets. */
    readonly guard: ActionSetting;
    /** The policy kinds whose isolation counts, as the platform team says its CNI enforces them. */
    readonly sources: readonly CoverageSource[];
    /** count (default): a selecting policy covers, whatever it admits; flag: one that admits every source on every port is a finding. */
    readonly openIngress: OpenIngressSetting;
  };
}

/** Host ports host-port lets through: an inclusive range, for one protocol or (undefined) every protocol. */
export interface HostPortRange {
  readonly min: number;
  readonly max: number;
  readonly protocol: string | undefined;
}

/**
 * Actions for some namespaces: the first override whose selectors all match an object's namespace
 * sets the action of the rules it names; the object's other rules keep their own action.
 */
export interface PolicyOverride {
  /** Names or globs; undefined matches every name. */
  readonly namespaces: readonly string[] | undefined;
  /** Matched against the namespace's labels; undefined matches without looking at labels. */
  readonly namespaceSelector: LabelSelector | undefined;
  readonly rules: Readonly<Partial<Record<RuleId, ActionSetting>>>;
  readonly reason: string | undefined;
}

/** A policy-file exemption; every present selector must match, and absent ones match everything. */
export interface PolicyExemption {
  readonly reason: string;
  readonly rules: readonly RuleId[] | undefined;
  readonly namespaces: readonly string[] | undefined;
  readonly kinds: readonly string[] | undefined;
  readonly names: readonly string[] | undefined;
  /** Last day (UTC, YYYY-MM-DD) on which the exemption applies. */
  readonly expires: string | undefined;
}

/** The whole policy, defaults filled in. */
export interface Policy {
  readonly rules: RuleSettings;
  readonly exemptions: readonly PolicyExemption[];
  readonly overrides: readonly PolicyOverride[];
  /** Honour netguard.io/exempt annotations; off by default because the object's author writes them. */
  readonly annotationExemptions: boolean;
}

/** A policy error with the dotted path of the key and, when known, its line. */
export interface PolicyError {
  readonly path: string;
  readonly line: number | undefined;
  readonly message: string;
}

/** Maps a dotted key path to the line it sits on in the policy file. */
export type LocateKey = (path: readonly (string | number)[]) => number | undefined;

/** The built-in policy: all four rules deny, no exemptions. */
export const DEFAULT_POLICY: Policy = {
  rules: {
    "host-network": { action: "deny" },
    "host-port": { action: "deny", allowedHostPorts: [] },
    "tcp-only": { action: "deny", allowedProtocols: ["TCP"] },
    "ingress-policy": { action: "deny", enforceOn: "pods", whenUnverified: "deny", guard: "warn", sources: ["networking.k8s.io/NetworkPolicy"], openIngress: "count" },
  },
  exemptions: [],
  overrides: [],
  annotationExemptions: false,
};

/** The rule ids in registry order, for validating policy keys. */
export const RULE_IDS: readonly RuleId[] = ["host-network", "host-port", "tcp-only", "ingress-policy"];

const ACTIONS: readonly ActionSetting[] = ["deny", "warn", "audit", "off"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const TOP_KEYS = ["apiVersion", "kind", "rules", "exemptions", "overrides", "annotationExemptions"];
const EXEMPTION_KEYS = ["reason", "rules", "namespaces", "kinds", "names", "expires"];
const OVERRIDE_KEYS = ["namespaces", "namespaceSelector", "rules", "reason"];
const HOST_PORT_KEYS = ["port", "min", "max", "protocol"];

/** Checks a decoded policy document; every error is collected, none is defaulted away. */
export function parsePolicy(value: unknown, locate: LocateKey): { ok: true; value: Policy } | { ok: false; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const fail = (path: readonly (string | number)[], message: string): void => {
    errors.push({ path: path.join(".") || "(document)", line: locate(path), message });
  };
  if (value === null || value === undefined) return { ok: true, value: DEFAULT_POLICY };
  if (!isObject(value)) {
    fail([], "the policy must be a mapping with rules, exemptions and annotationExemptions");
    return { ok: false, errors };
  }
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.includes(key)) fail([key], `unknown key; expected one of ${TOP_KEYS.join(", ")}`);
  }
  if (value["kind"] !== undefined && value["kind"] !== "Policy") fail(["kind"], 'must be "Policy"');
  const rules = parseRules(value["rules"], fail);
  const exemptions = parseExemptions(value["exemptions"], fail);
  const overrides = parseOverrides(value["overrides"], fail);
  const annotationExemptions = value["annotationExemptions"] ?? false;
  if (typeof annotationExemptions !== "boolean") fail(["annotationExemptions"], "must be true or false");
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { rules, exemptions, overrides, annotationExemptions: annotationExemptions === true } };
}

type Fail = (path: readonly (string | number)[], message: string) => void;

function parseRules(value: unknown, fail: Fail): RuleSettings {
  if (value === undefined || value === null) return DEFAULT_POLICY.rules;
  if (!isObject(value)) {
    fail(["rules"], "must be a mapping from rule id to settings");
    return DEFAULT_POLICY.rules;
  }
  for (const key of Object.keys(value)) {
    if (!RULE_IDS.some((id) => id === key)) fail(["rules", key], `unknown rule id; known rules: ${RULE_IDS.join(", ")}`);
  }
  const settings = (id: RuleId, extra: readonly string[]): Readonly<Record<string, unknown>> => {
    const entry = value[id];
    if (entry === undefined || entry === null) return {};
    // Shorthand: `host-port: warn` means `host-port: {action: warn}`.
    if (typeof entry === "string") return { action: entry };
    if (!isObject(entry)) {
      fail(["rules", id], "must be a mapping such as {action: deny}");
      return {};
    }
    for (const key of Object.keys(entry)) {
      if (key !== "action" && !extra.includes(key)) fail(["rules", id, key], `unknown option; ${id} takes ${["action", ...extra].join(", ")}`);
    }
    return entry;
  };
  const action = (id: RuleId, entry: Readonly<Record<string, unknown>>): ActionSetting =>
    oneOf(entry["action"], ACTIONS, DEFAULT_POLICY.rules[id].action, ["rules", id, "action"], fail);
  const hostNetwork = settings("host-network", []);
  const hostPort = settings("host-port", ["allowedHostPorts"]);
  const tcpOnly = settings("tcp-only", ["allowedProtocols"]);
  const ingress = settings("ingress-policy", ["enforceOn", "whenUnverified", "guard", "sources", "openIngress"]);
  const defaults = DEFAULT_POLICY.rules["ingress-policy"];
  return {
    "host-network": { action: action("host-network", hostNetwork) },
    "host-port": { action: action("host-port", hostPort), allowedHostPorts: parseHostPorts(hostPort["allowedHostPorts"], fail) },
    "tcp-only": { action: action("tcp-only", tcpOnly), allowedProtocols: parseProtocols(tcpOnly["allowedProtocols"], fail) },
    "ingress-policy": {
      action: action("ingress-policy", ingress),
      enforceOn: oneOf(ingress["enforceOn"], ["pods", "workloads"] as const, defaults.enforceOn, ["rules", "ingress-policy", "enforceOn"], fail),
      whenUnverified: oneOf(ingress["whenUnverified"], ["deny", "allow"] as const, defaults.whenUnverified, ["rules", "ingress-policy", "whenUnverified"], fail),
      guard: oneOf(ingress["guard"], ACTIONS, defaults.guard, ["rules", "ingress-policy", "guard"], fail),
      sources: parseSources(ingress["sources"], fail),
      openIngress: oneOf(ingress["openIngress"], ["count", "flag"] as const, defaults.openIngress, ["rules", "ingress-policy", "openIngress"], fail),
    },
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: readonly (string | number)[], fail: Fail): T {
  if (value === undefined || value === null) return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) fail(path, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  return match ?? fallback;
}

/** Coverage sources by group-qualified kind; an installed CRD proves nothing, so only the listed ones count. */
function parseSources(value: unknown, fail: Fail): readonly CoverageSource[] {
  const path = ["rules", "ingress-policy", "sources"];
  if (value === undefined || value === null) return DEFAULT_POLICY.rules["ingress-policy"].sources;
  if (!Array.isArray(value) || value.length === 0) {
    fail(path, `must be a non-empty list of policy kinds (${SOURCE_NAMES.join(", ")}); to stop checking coverage set the action to off`);
    return DEFAULT_POLICY.rules["ingress-policy"].sources;
  }
  const sources: CoverageSource[] = [];
  value.forEach((entry: unknown, index) => {
    const source = typeof entry === "string" ? sourceNamed(entry) : undefined;
    if (source === undefined) fail([...path, index], `${JSON.stringify(entry)} is not a policy kind netguard reads; known: ${SOURCE_NAMES.join(", ")}`);
    else if (!sources.includes(source)) sources.push(source);
  });
  return sources;
}

function parseProtocols(value: unknown, fail: Fail): readonly string[] {
  const path = ["rules", "tcp-only", "allowedProtocols"];
  if (value === undefined || value === null) return DEFAULT_POLICY.rules["tcp-only"].allowedProtocols;
  if (!Array.isArray(value) || value.length === 0) {
    fail(path, `must be a non-empty list of protocols (${PROTOCOLS.join(", ")})`);
    return [];
  }
  return value.flatMap((entry: unknown, index) => {
    if (typeof entry === "string" && PROTOCOLS.includes(entry)) return [entry];
    fail([...path, index], `${JSON.stringify(entry)} is not a protocol (${PROTOCOLS.join(", ")})`);
    return [];
  });
}

function parseHostPorts(value: unknown, fail: Fail): readonly HostPortRange[] {
  const path = ["rules", "host-port", "allowedHostPorts"];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail(path, "must be a list of {port} or {min, max}, each optionally with a protocol");
    return [];
  }
  return value.flatMap((entry: unknown, index): HostPortRange[] => {
    const at = [...path, index];
    if (!isObject(entry)) {
      fail(at, "must be a mapping: {port: 9100} or {min: 30000, max: 30100}, optionally with protocol");
      return [];
    }
    let bad = false;
    const failHere: Fail = (where, message) => {
      bad = true;
      fail(where, message);
    };
    for (const key of Object.keys(entry)) {
      if (!HOST_PORT_KEYS.includes(key)) failHere([...at, key], `unknown key; expected one of ${HOST_PORT_KEYS.join(", ")}`);
    }
    const port = portNumber(entry["port"], [...at, "port"], failHere);
    const min = portNumber(entry["min"], [...at, "min"], failHere);
    const max = portNumber(entry["max"], [...at, "max"], failHere);
    const given = (key: string): boolean => entry[key] !== undefined && entry[key] !== null;
    if (given("port") && (given("min") || given("max"))) failHere(at, "give either port or min and max, not both");
    else if (!given("port") && !given("min") && !given("max")) failHere(at, "give a port, or min and max");
    else if (!given("port") && !given("min")) failHere(at, "max needs a min");
    else if (!given("port") && !given("max")) failHere(at, "min needs a max");
    else if (min !== undefined && max !== undefined && min > max) failHere([...at, "max"], `${String(max)} is below min ${String(min)}`);
    const protocol = entry["protocol"];
    if (protocol !== undefined && protocol !== null && !(typeof protocol === "string" && PROTOCOLS.includes(protocol))) {
      failHere([...at, "protocol"], `${JSON.stringify(protocol)} is not a protocol (${PROTOCOLS.join(", ")})`);
    }
    const low = port ?? min;
    const high = port ?? max;
    if (bad || low === undefined || high === undefined) return [];
    return [{ min: low, max: high, protocol: typeof protocol === "string" ? protocol : undefined }];
  });
}

/** A hostPort as the API server validates it: an integer 1-65535 (0 means no host port). */
function portNumber(value: unknown, path: readonly (string | number)[], fail: Fail): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(path, `${JSON.stringify(value)} is not a port number (1-65535)`);
    return undefined;
  }
  return value;
}

function parseOverrides(value: unknown, fail: Fail): PolicyOverride[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail(["overrides"], "must be a list of {namespaces, namespaceSelector, rules, reason}");
    return [];
  }
  return value.flatMap((entry: unknown, index): PolicyOverride[] => {
    const path = ["overrides", index];
    if (!isObject(entry)) {
      fail(path, "must be a mapping with rules and namespaces or namespaceSelector");
      return [];
    }
    for (const key of Object.keys(entry)) {
      if (!OVERRIDE_KEYS.includes(key)) fail([...path, key], `unknown key; expected one of ${OVERRIDE_KEYS.join(", ")}`);
    }
    const namespaces = stringList(entry["namespaces"], [...path, "namespaces"], fail);
    const namespaceSelector = parseNamespaceSelector(entry["namespaceSelector"], [...path, "namespaceSelector"], fail);
    if (entry["namespaces"] === undefined && entry["namespaceSelector"] === undefined) {
      // An override of every namespace is the rule's own action: say where it belongs rather than guess.
      fail(path, "give namespaces, namespaceSelector or both (for every namespace, set the action under rules)");
    }
    const reason = entry["reason"];
    if (reason !== undefined && (typeof reason !== "string" || reason.trim() === "")) fail([...path, "reason"], "must be a non-empty string");
    return [{ namespaces, namespaceSelector, rules: parseOverrideRules(entry["rules"], [...path, "rules"], fail), reason: typeof reason === "string" ? reason : undefined }];
  });
}

function parseNamespaceSelector(value: unknown, path: readonly (string | number)[], fail: Fail): LabelSelector | undefined {
  if (value === undefined || value === null) return undefined;
  const compiled = compileSelector(value, "namespaceSelector");
  if (!compiled.ok) {
    fail(path, compiled.error);
    return undefined;
  }
  return compiled.value;
}

function parseOverrideRules(value: unknown, path: readonly (string | number)[], fail: Fail): Partial<Record<RuleId, ActionSetting>> {
  if (!isObject(value) || Object.keys(value).length === 0) {
    fail(path, `required: a mapping from rule id to action, such as {host-port: warn} (${ACTIONS.join(", ")})`);
    return {};
  }
  const rules: Partial<Record<RuleId, ActionSetting>> = {};
  for (const [key, setting] of Object.entries(value)) {
    const id = RULE_IDS.find((candidate) => candidate === key);
    if (id === undefined) {
      fail([...path, key], `unknown rule id; known rules: ${RULE_IDS.join(", ")}`);
      continue;
    }
    const action = ACTIONS.find((candidate) => candidate === setting);
    if (action === undefined) fail([...path, key], `${JSON.stringify(setting)} is not one of ${ACTIONS.join(", ")}`);
    else rules[id] = action;
  }
  return rules;
}

function parseExemptions(value: unknown, fail: Fail): PolicyExemption[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail(["exemptions"], "must be a list");
    return [];
  }
  return value.flatMap((entry: unknown, index): PolicyExemption[] => {
    const path = ["exemptions", index];
    if (!isObject(entry)) {
      fail(path, "must be a mapping with at least a reason");
      return [];
    }
    for (const key of Object.keys(entry)) {
      if (!EXEMPTION_KEYS.includes(key)) fail([...path, key], `unknown key; expected one of ${EXEMPTION_KEYS.join(", ")}`);
    }
    const reason = entry["reason"];
    if (typeof reason !== "string" || reason.trim() === "") fail([...path, "reason"], "required: say why this exemption exists");
    const rules = stringList(entry["rules"], [...path, "rules"], fail);
    for (const [ruleIndex, rule] of (rules ?? []).entries()) {
      if (!RULE_IDS.some((id) => id === rule)) fail([...path, "rules", ruleIndex], `unknown rule id ${JSON.stringify(rule)}; known rules: ${RULE_IDS.join(", ")}`);
    }
    const expires = parseExpiry(entry["expires"], [...path, "expires"], fail);
    return [
      {
        reason: typeof reason === "string" ? reason : "",
        rules: rules?.filter((rule): rule is RuleId => RULE_IDS.some((id) => id === rule)),
        namespaces: stringList(entry["namespaces"], [...path, "namespaces"], fail),
        kinds: kindList(entry["kinds"], [...path, "kinds"], fail),
        names: stringList(entry["names"], [...path, "names"], fail),
        expires,
      },
    ];
  });
}

function stringList(value: unknown, path: readonly (string | number)[], fail: Fail): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item): item is string => typeof item === "string" && item !== "")) {
    fail(path, "must be a non-empty list of strings");
    return undefined;
  }
  return value;
}

function parseExpiry(value: unknown, path: readonly (string | number)[], fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  // YAML 1.1 parsers may hand back a Date for an unquoted date; accept both forms.
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  // Date.parse rolls 2026-02-31 over to March 3: only a date that reads back the same is a date.
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text) || !isCalendarDate(text)) {
    fail(path, "must be a date YYYY-MM-DD (the last day the exemption applies)");
    return undefined;
  }
  return text;
}

function isCalendarDate(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** Kinds are matched exactly (Deployment, Pod): a glob or a lowercase name would silently match nothing. */
function kindList(value: unknown, path: readonly (string | number)[], fail: Fail): string[] | undefined {
  const kinds = stringList(value, path, fail);
  for (const [index, kind] of (kinds ?? []).entries()) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      fail([...path, index], `${JSON.stringify(kind)} is not a kind: kinds are matched exactly (Deployment, DaemonSet, Pod, ...); leave kinds out to match every kind`);
      return undefined;
    }
  }
  return kinds;
}

