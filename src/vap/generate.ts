import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from "../engine/exemptions.js";
import type { Action, Rule, RuleId } from "../engine/types.js";
import type { Requirement } from "../kube/label-selector.js";
import { CONTROLLER_USERS, CREATED_BY } from "../kube/owners.js";
import { CONTAINER_LISTS } from "../kube/pod-template.js";
import { POLICY_DIRECTIONS } from "../kube/network-policy.js";
import type { Policy, PolicyExemption, PolicyOverride } from "../policy/policy.js";
import { isStateless, type StatelessCheck, type StatelessRule } from "../rules/stateless-rule.js";
import { celString, celStrings, conditionCel, keyCel, messageCel, type CelBindings } from "./cel.js";
import { scopes, type Scope } from "./scopes.js";

/** Rules a ValidatingAdmissionPolicy cannot express, and why; every other registry rule must be stated as data. */
export const NOT_EXPRESSIBLE: Readonly<Partial<Record<RuleId, string>>> = {
  "ingress-policy": "coverage depends on the NetworkPolicies of the namespace, and CEL sees only the object under review",
};

/** The namespaces the installed webhook never judges (config/webhook): the policies skip the same ones. */
export const EXCLUDED_NAMESPACES: readonly string[] = ["kube-system", "kube-node-lease", "netguard-system"];
/** The break-glass label: a namespace carrying it is judged by neither the webhook nor the policies. */
export const IGNORE_LABEL = "netguard.io/ignore";

/** What `netguard vap` generates: the objects in order (each policy before its binding), and notes for the user. */
export interface GeneratedPolicies {
  readonly objects: readonly Record<string, unknown>[];
  readonly notes: readonly string[];
}

/** Why a policy file cannot become ValidatingAdmissionPolicies, each error naming the entry. */
export type Generation = { readonly ok: true; readonly value: GeneratedPolicies } | { readonly ok: false; readonly errors: readonly string[] };

/** Options of the generator. */
export interface GenerateOptions {
  readonly namePrefix: string;
}

const ACTIONS: readonly Action[] = ["deny", "warn", "audit"];
const VALIDATION_ACTION: Readonly<Record<Action, string>> = { deny: "Deny", warn: "Warn", audit: "Audit" };
const SPEC = "variables.spec";
const LABELS = "variables.namespaceLabels";

/**
 * ValidatingAdmissionPolicies and bindings for every stateless rule of the registry, from the policy:
 * one policy per scope and action, holding one validation per rule that takes that action there (the
 * API server converts the object once per policy, so a Pod meets one policy instead of one per rule).
 */
export function generatePolicies(rules: readonly Rule[], policy: Policy, options: GenerateOptions): Generation {
  const errors = timedExemptions(rules, policy);
  if (errors.length > 0) return { ok: false, errors };
  // Each rule's checks and action cases, computed once and shared by every scope and action below.
  const stateless: { readonly rule: StatelessRule; readonly checks: readonly StatelessCheck[]; readonly cases: ReturnType<typeof actionCases> }[] = [];
  const notes: string[] = [];
  for (const rule of rules) {
    if (!isStateless(rule)) {
      const why = NOT_EXPRESSIBLE[rule.id];
      if (why === undefined) throw new Error(`rule ${rule.id} is neither stated as data nor listed in NOT_EXPRESSIBLE`);
      notes.push(`${rule.id} is not generated: ${why}; the webhook enforces it`);
      continue;
    }
    const cases = actionCases(rule.id, policy);
    if (cases.length === 0) notes.push(`${rule.id} is off: no policy generated`);
    stateless.push({ rule, checks: rule.checks(policy), cases });
  }
  const objects: Record<string, unknown>[] = [];
  for (const scope of scopes()) {
    for (const action of ACTIONS) {
      const members = stateless.flatMap(({ rule, checks, cases }): PolicyMember[] => {
        const scoped = checks.filter((check) => scope.sites.includes(check.site));
        const entry = cases.find((candidate) => candidate.action === action);
        return scoped.length === 0 || entry === undefined ? [] : [{ rule, checks: scoped, applies: entry.applies }];
      });
      if (members.length === 0) continue;
      const name = `${options.namePrefix}${action}-${scope.name}`;
      objects.push(validatingPolicy({ name, action, scope, members }, policy));
      objects.push(binding(name, action, scope, members));
    }
  }
  if (policy.exemptions.some((exemption) => exemption.kinds !== undefined || exemption.names !== undefined)) {
    notes.push("exemptions that follow ownership trust the controller's identity and its ownerReference: CEL cannot read the owner to check its uid and template labels as the webhook does");
  }
  return { ok: true, value: { objects, notes } };
}

/** An exemption with an expiry cannot be judged in CEL (there is no clock): refused, naming it. */
function timedExemptions(rules: readonly Rule[], policy: Policy): string[] {
  const stateless = rules.filter(isStateless).map((rule) => rule.id);
  return policy.exemptions.flatMap((exemption, index) => {
    const affects = exemption.rules === undefined ? stateless : exemption.rules.filter((rule) => stateless.includes(rule));
    if (exemption.expires === undefined || affects.length === 0) return [];
    return [
      `exemptions[${String(index)}] ("${exemption.reason}") expires on ${exemption.expires}: a ValidatingAdmissionPolicy has no clock, so it would never end; ` +
        `remove expires (and the exemption when it is due), or limit the exemption to ingress-policy, which only the webhook enforces`,
    ];
  });
}

/** The actions a rule takes and, where overrides split it, the CEL condition on the namespace for each. */
export function actionCases(rule: RuleId, policy: Policy): { readonly action: Action; readonly applies: string | undefined }[] {
  const base = policy.rules[rule].action;
  const naming = policy.overrides.flatMap((override, index) => (override.rules[rule] === undefined ? [] : [index]));
  if (naming.length === 0) return base === "off" ? [] : [{ action: base, applies: undefined }];
  const matches = policy.overrides.map(overrideCel);
  // The first override that matches a namespace decides (later ones are not consulted for the rules it leaves out).
  const first = (index: number): string => `(${[...matches.slice(0, index).map((match) => `!${match}`), matches[index] ?? "false"].join(" && ")})`;
  const byAction = new Map<string, string[]>();
  const add = (action: string, condition: string): void => void byAction.set(action, [...(byAction.get(action) ?? []), condition]);
  for (const index of naming) add(policy.overrides[index]?.rules[rule] ?? "off", first(index));
  add(base, `!(${naming.map(first).join(" || ")})`);
  return ACTIONS.flatMap((action) => {
    const conditions = byAction.get(action);
    return conditions === undefined ? [] : [{ action, applies: conditions.join(" || ") }];
  });
}

function overrideCel(override: PolicyOverride): string {
  const parts: string[] = [];
  if (override.namespaces !== undefined) parts.push(globsCel("request.namespace", override.namespaces));
  if (override.namespaceSelector !== undefined) parts.push(...override.namespaceSelector.requirements.map((requirement) => requirementCel(requirement, LABELS)));
  return parts.length === 0 ? "true" : `(${parts.join(" && ")})`;
}

/** One label selector requirement over a CEL map of labels (NotIn and DoesNotExist hold without the key). */
export function requirementCel(requirement: Requirement, labels: string): string {
  const key = celString(requirement.key);
  const has = `${key} in ${labels}`;
  switch (requirement.operator) {
    case "In":
      return `(${has} && ${labels}[${key}] in ${celStrings(requirement.values)})`;
    case "NotIn":
      return `!(${has} && ${labels}[${key}] in ${celStrings(requirement.values)})`;
    case "Exists":
      return `(${has})`;
    case "DoesNotExist":
      return `!(${has})`;
  }
}

/** A shell glob as an anchored RE2 pattern (RE2 is linear: no backtracking blow-up, unlike the engine's reason to avoid regexes). */
export function globPattern(glob: string): string {
  let body = "";
  for (const char of glob) {
    if (char === "*") body += ".*";
    else if (char === "?") body += ".";
    else if ("\\^$.|+()[]{}".includes(char)) body += `\\${char}`;
    else body += char;
  }
  return body;
}

function globsCel(subject: string, globs: readonly string[]): string {
  return `${subject}.matches(${celString(`^(?:${globs.map(globPattern).join("|")})$`)})`;
}

/** One rule inside a policy: its checks in the policy's scope, and the namespace condition of its action there. */
interface PolicyMember {
  readonly rule: StatelessRule;
  readonly checks: readonly StatelessCheck[];
  readonly applies: string | undefined;
}

/** One policy to build: its name, action and scope, and the rules it validates. */
interface PolicyPlan {
  readonly name: string;
  readonly action: Action;
  readonly scope: Scope;
  readonly members: readonly PolicyMember[];
}

function validatingPolicy(plan: PolicyPlan, policy: Policy): Record<string, unknown> {
  const { name, action, scope, members } = plan;
  const root = scope.podSpecPath === undefined ? ["spec"] : scope.podSpecPath;
  const ids = members.map((member) => member.rule.id);
  const matchConditions: { name: string; expression: string }[] = [];
  // A ReplicationController's or PodTemplate's template may be absent: nothing runs, nothing to judge.
  if (root.length > 1) matchConditions.push({ name: "has-pod-template", expression: pathGuard("object", root) });
  // An exemption of every rule here skips the whole policy; one of some rules only is read by theirs.
  const exemptions = policy.exemptions.flatMap((exemption, index) => {
    const condition = exemptionCel(exemption, scope);
    const rules = exemption.rules;
    return condition === undefined ? [] : [{ index, condition, rules, shared: rules === undefined || ids.every((id) => rules.includes(id)) }];
  });
  for (const exemption of exemptions) {
    if (exemption.shared) matchConditions.push({ name: `not-exempt-${String(exemption.index)}`, expression: `!(${exemption.condition})` });
  }
  const variables: { name: string; expression: string }[] = [];
  if (scope.podSpecPath !== undefined) variables.push({ name: "spec", expression: `object.${root.join(".")}` });
  if (members.some((member) => member.applies?.includes(LABELS) === true)) {
    variables.push({ name: "namespaceLabels", expression: "namespaceObject != null && has(namespaceObject.metadata.labels) ? namespaceObject.metadata.labels : {}" });
  }
  const validations = members.map((member) => {
    const { rule, checks, applies } = member;
    const v = variableStem(rule.id);
    const compiled = checks.map((check) => checkCel(check, root));
    // The API server plans a CEL program anew on every evaluation (to track its cost), so the time a
    // request pays grows with the size of what it evaluates. Variables are evaluated lazily: a clean
    // object pays for each rule's small "offends" test only; the UPDATE comparison, the exemptions
    // and the messages are planned only for an object that offends.
    variables.push({ name: `${v}Offends`, expression: compiled.flatMap((part) => part.offends).join(" || ") });
    variables.push({ name: `${v}OffendsAnew`, expression: compiled.flatMap((part) => part.offendsAnew).join(" || ") });
    variables.push({ name: `${v}Violations`, expression: compiled.flatMap((part) => part.messages).join(" + ") });
    const passes = [`!variables.${v}Offends`, `!variables.${v}OffendsAnew`];
    const own = exemptions.filter((exemption) => !exemption.shared && exemption.rules?.includes(rule.id) === true).map((exemption) => `(${exemption.condition})`);
    if (policy.annotationExemptions) own.push(`(${annotationExemptCel(rule.id)})`);
    if (own.length > 0) {
      variables.push({ name: `${v}Exempt`, expression: own.join(" || ") });
      passes.push(`variables.${v}Exempt`);
    }
    if (applies !== undefined) {
      variables.push({ name: `${v}Applies`, expression: applies });
      passes.push(`!variables.${v}Applies`);
    }
    return {
      expression: passes.join(" || "),
      // Guarded: the API server may evaluate messageExpression for objects that pass, and building
      // the messages is the costly part; for a passing object it reads two cached variables.
      messageExpression: `variables.${v}Offends && variables.${v}OffendsAnew ? ${celString(`[${rule.id}] `)} + variables.${v}Violations.join('; ') + ${celString(` (fix: ${rule.fix})`)} : ''`,
      message: `[${rule.id}] ${rule.summary}`,
      reason: "Forbidden",
    };
  });
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels: labels(action, scope), annotations: { [RULES_ANNOTATION]: ids.join(",") } },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: scope.resourceRules,
        namespaceSelector: {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: EXCLUDED_NAMESPACES },
            { key: IGNORE_LABEL, operator: "DoesNotExist" },
          ],
        },
        matchPolicy: "Equivalent",
      },
      ...(matchConditions.length > 0 ? { matchConditions } : {}),
      variables,
      validations,
    },
  };
}

/** Which rules a generated policy validates, in order (labels cannot hold a list). */
export const RULES_ANNOTATION = "netguard.io/rules";

/** A rule id as the stem of its CEL variable names: host-network → hostNetwork. */
function variableStem(rule: RuleId): string {
  return rule.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function binding(name: string, action: Action, scope: Scope, members: readonly PolicyMember[]): Record<string, unknown> {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name, labels: labels(action, scope), annotations: { [RULES_ANNOTATION]: members.map((member) => member.rule.id).join(",") } },
    spec: { policyName: name, validationActions: [VALIDATION_ACTION[action]] },
  };
}

function labels(action: Action, scope: Scope): Record<string, string> {
  return { "app.kubernetes.io/part-of": "netguard", "netguard.io/action": action, "netguard.io/scope": scope.name };
}

/** has() on every step of a path, so reading it never errors. */
function pathGuard(root: string, path: readonly string[]): string {
  return path.map((_, index) => `has(${root}.${path.slice(0, index + 1).join(".")})`).join(" && ");
}

/** For one check: whether any element offends, whether any offends anew (UPDATE), and the messages. */
interface CheckCel {
  readonly offends: readonly string[];
  readonly offendsAnew: readonly string[];
  readonly messages: readonly string[];
}

/**
 * For one check, per container list or rule list: CEL that tells whether an element offends, whether
 * one offends that the old object did not already have (UPDATE lets those through, as the webhook
 * does: objects created before a rule existed keep working when touched), and the message strings.
 */
function checkCel(check: StatelessCheck, root: readonly string[]): CheckCel {
  const oldRoot = `oldObject.${root.join(".")}`;
  const oldGuard = `request.operation == 'UPDATE' && oldObject != null && ${pathGuard("oldObject", root)}`;
  const newSpec = check.site === "pod-spec" || check.site === "container-port" ? SPEC : "object.spec";
  const condition = (bindings: CelBindings): string => conditionCel(check.when, bindings);
  const key = (bindings: CelBindings): string => keyCel(check.key.prefix, check.key.fields, bindings);
  const message = (bindings: CelBindings): string => messageCel(check.message, bindings);
  // The same finding before and after: equal keys. A key with no fields is a constant on both sides
  // (a Pod has one hostNetwork), and comparing it would be an expression that is always true.
  const sameKey = (before: CelBindings, now: CelBindings): string => (key(before) === key(now) ? "" : ` && ${key(before)} == ${key(now)}`);
  // Each list once with the plain condition, once with "and not already there", once for the messages.
  const three = (each: (test: string, messages: string | undefined) => string, now: CelBindings, already: string): CheckCel => {
    const anew = `(${condition(now)} && !(${oldGuard} && ${already}))`;
    return { offends: [each(condition(now), undefined)], offendsAnew: [each(anew, undefined)], messages: [each(anew, message(now))] };
  };
  const merge = (parts: readonly CheckCel[]): CheckCel => ({
    offends: parts.flatMap((part) => part.offends),
    offendsAnew: parts.flatMap((part) => part.offendsAnew),
    messages: parts.flatMap((part) => part.messages),
  });
  switch (check.site) {
    case "pod-spec": {
      const now = podBindings(newSpec);
      const before = podBindings(oldRoot);
      return three((test, text) => (text === undefined ? test : `(${test} ? [${text}] : [])`), now, `${condition(before)}${sameKey(before, now)}`);
    }
    case "container-port": {
      const now = containerBindings("c", "p", newSpec);
      const before = containerBindings("oc", "op", oldRoot);
      const already = `(${CONTAINER_LISTS.map((list) => `(has(${oldRoot}.${list}) && ${oldRoot}.${list}.exists(oc, has(oc.ports) && oc.ports.exists(op, ${condition(before)}${sameKey(before, now)})))`).join(" || ")})`;
      return merge(
        CONTAINER_LISTS.map((list) =>
          three(
            (test, text) =>
              text === undefined
                ? `(has(${newSpec}.${list}) && ${newSpec}.${list}.exists(c, has(c.ports) && c.ports.exists(p, ${test})))`
                : `(has(${newSpec}.${list}) ? ${newSpec}.${list} : []).filter(c, has(c.ports) && c.ports.exists(p, ${test})).map(c, c.ports.filter(p, ${test}).map(p, ${text}).join('; '))`,
            now,
            already,
          ),
        ),
      );
    }
    case "service-port": {
      const now = portBindings("p", undefined);
      const before = portBindings("op", undefined);
      return three(
        (test, text) => (text === undefined ? `(has(object.spec.ports) && object.spec.ports.exists(p, ${test}))` : `(has(object.spec.ports) ? object.spec.ports : []).filter(p, ${test}).map(p, ${text})`),
        now,
        `has(${oldRoot}.ports) && ${oldRoot}.ports.exists(op, ${condition(before)}${sameKey(before, now)})`,
      );
    }
    case "policy-port":
      return merge(
        POLICY_DIRECTIONS.map((direction) => {
          const now = portBindings("p", direction);
          const before = portBindings("op", direction);
          const rules = `object.spec.${direction}`;
          return three(
            (test, text) =>
              text === undefined
                ? `(has(${rules}) && ${rules}.exists(r, has(r.ports) && r.ports.exists(p, ${test})))`
                : `(has(${rules}) ? ${rules} : []).filter(r, has(r.ports) && r.ports.exists(p, ${test})).map(r, r.ports.filter(p, ${test}).map(p, ${text}).join('; '))`,
            now,
            `has(${oldRoot}.${direction}) && ${oldRoot}.${direction}.exists(orl, has(orl.ports) && orl.ports.exists(op, ${condition(before)}${sameKey(before, now)}))`,
          );
        }),
      );
  }
}

function podBindings(spec: string): CelBindings {
  return { hostNetwork: { holder: spec, name: "hostNetwork", type: "bool" } };
}

function containerBindings(container: string, port: string, spec: string): CelBindings {
  return {
    ...podBindings(spec),
    container: { holder: container, name: "name", type: "string" },
    containerPort: { holder: port, name: "containerPort", type: "int" },
    hostPort: { holder: port, name: "hostPort", type: "int" },
    protocol: { holder: port, name: "protocol", type: "string" },
  };
}

/** A Service port (direction undefined) or a NetworkPolicy port of one rule list. */
function portBindings(port: string, direction: string | undefined): CelBindings {
  const common: CelBindings = { protocol: { holder: port, name: "protocol", type: "string" } };
  if (direction === undefined) return { ...common, name: { holder: port, name: "name", type: "string" }, port: { holder: port, name: "port", type: "int" } };
  return { ...common, direction: { holder: undefined, name: celString(direction), type: "string" }, port: { holder: port, name: "port", type: "int-or-string" } };
}

/** How a grandchild's owner is named after the grandparent: a Deployment's ReplicaSets and a CronJob's Jobs. */
const DERIVED_NAMES: Readonly<Record<string, (globs: readonly string[] | undefined) => string>> = {
  // <deployment>-<pod-template-hash>; the Pod carries the same pod-template-hash label.
  ReplicaSet: (globs) => {
    const hash = "object.metadata.labels['pod-template-hash']";
    const shape = `has(object.metadata.labels) && 'pod-template-hash' in object.metadata.labels && r.name.endsWith('-' + ${hash})`;
    return globs === undefined ? shape : `${shape} && ${globsCel(`r.name.substring(0, size(r.name) - size(${hash}) - 1)`, globs)}`;
  },
  // <cronjob>-<scheduled time in minutes>.
  Job: (globs) => `r.name.matches(${celString(`^(?:${globs === undefined ? ".+" : globs.map(globPattern).join("|")})-[0-9]+$`)})`,
};

/**
 * An exemption in CEL for one scope: the object itself, or (CREATE by a controller's own identity) an
 * object whose controller ownerReference names an exempt owner, directly or through the one owner
 * between (a Deployment's ReplicaSet, a CronJob's Job). Undefined when it can match nothing here.
 */
function exemptionCel(exemption: PolicyExemption, scope: Scope): string | undefined {
  const self: string[] = [];
  const kinds = exemption.kinds?.filter((kind) => scope.kinds.includes(kind));
  if (kinds !== undefined) self.push(`request.kind.kind in ${celStrings(kinds)}`);
  if (exemption.names !== undefined) self.push(globsCel("object.metadata.name", exemption.names));
  const where = exemption.namespaces === undefined ? [] : [globsCel("request.namespace", exemption.namespaces)];
  // No kind or name to match: every object of the namespaces is exempt itself, owners or not.
  if (self.length === 0 && kinds === undefined) return where[0] ?? "true";
  const alternatives: string[] = kinds === undefined || kinds.length > 0 ? [`(${self.join(" && ")})`] : [];
  const owners = ownerCel(exemption, scope);
  if (owners !== undefined) alternatives.push(owners);
  if (alternatives.length === 0) return undefined;
  return [...where, `(${alternatives.join(" || ")})`].join(" && ");
}

function ownerCel(exemption: PolicyExemption, scope: Scope): string | undefined {
  const wanted = (kind: string): boolean => exemption.kinds === undefined || exemption.kinds.includes(kind);
  const names = exemption.names === undefined ? "" : ` && ${globsCel("r.name", exemption.names)}`;
  const alternatives: string[] = [];
  for (const child of scope.kinds) {
    for (const owner of CREATED_BY[child] ?? []) {
      if (wanted(owner)) alternatives.push(`(request.kind.kind == ${celString(child)} && r.kind == ${celString(owner)}${names})`);
      if (child !== "Pod") continue;
      for (const grandparent of CREATED_BY[owner] ?? []) {
        const derived = DERIVED_NAMES[owner];
        if (derived === undefined) throw new Error(`no naming rule for a ${owner} created by a ${grandparent}`);
        if (wanted(grandparent)) alternatives.push(`(request.kind.kind == 'Pod' && r.kind == ${celString(owner)} && ${derived(exemption.names)})`);
      }
    }
  }
  if (alternatives.length === 0) return undefined;
  return (
    `(request.operation == 'CREATE' && request.userInfo.username in ${celStrings(CONTROLLER_USERS)} && has(object.metadata.ownerReferences) && ` +
    `object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller == true && (${alternatives.join(" || ")})))`
  );
}

function annotationExemptCel(rule: RuleId): string {
  const annotations = "object.metadata.annotations";
  const listed = celString(EXEMPT_ANNOTATION);
  const reason = celString(EXEMPT_REASON_ANNOTATION);
  return (
    `has(${annotations}) && ${listed} in ${annotations} && ${annotations}[${listed}].split(',').exists(x, x.trim() == ${celString(rule)}) && ` +
    `${reason} in ${annotations} && ${annotations}[${reason}].trim() != ''`
  );
}
