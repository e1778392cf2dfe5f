import { asObject, asString, isObject, showValue } from "./fields.js";
import type { Parsed } from "./object.js";

/** The set-based operators a metav1.LabelSelector accepts (Gt/Lt exist only for node selectors). */
export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** One requirement; matchLabels entries become In with a single value. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
  readonly fromMatchLabels: boolean;
}

/** A compiled label selector: all requirements must hold (an empty list selects everything). */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

function isOperator(value: string | undefined): value is SelectorOperator {
  return OPERATORS.some((operator) => operator === value);
}

/** Compiles a metav1.LabelSelector with apimachinery's validation; errors name the offending field. */
export function compileSelector(value: unknown, field: string): Parsed<LabelSelector> {
  // NetworkPolicySpec.podSelector is a value, not a pointer: absent decodes to {} and selects all pods.
  if (value === undefined || value === null) return { ok: true, value: { requirements: [] } };
  if (!isObject(value)) return { ok: false, error: `${field}: must be a mapping` };
  const requirements: Requirement[] = [];
  const matchLabels = value["matchLabels"];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObject(matchLabels)) return { ok: false, error: `${field}.matchLabels: must be a mapping` };
    for (const [key, labelValue] of Object.entries(matchLabels)) {
      if (typeof labelValue !== "string") {
        return { ok: false, error: `${field}.matchLabels.${key}: must be a string, not ${showValue(labelValue)}` };
      }
      requirements.push({ key, operator: "In", values: [labelValue], fromMatchLabels: true });
    }
  }
  const expressions = value["matchExpressions"];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) return { ok: false, error: `${field}.matchExpressions: must be a list` };
    for (const [index, entry] of expressions.entries()) {
      const parsed = compileExpression(entry, `${field}.matchExpressions[${index}]`);
      if (!parsed.ok) return parsed;
      requirements.push(parsed.value);
    }
  }
  return { ok: true, value: { requirements } };
}

function compileExpression(entry: unknown, field: string): Parsed<Requirement> {
  const expression = asObject(entry);
  if (expression === undefined) return { ok: false, error: `${field}: must be a mapping` };
  const key = asString(expression["key"]);
  if (!key) return { ok: false, error: `${field}.key: required` };
  const operator = asString(expression["operator"]);
  if (!isOperator(operator)) {
    return { ok: false, error: `${field}.operator: ${showValue(expression["operator"])} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)` };
  }
  const rawValues = expression["values"] ?? [];
  if (!Array.isArray(rawValues) || !rawValues.every((v): v is string => typeof v === "string")) {
    return { ok: false, error: `${field}.values: must be a list of strings` };
  }
  const setBased = operator === "In" || operator === "NotIn";
  if (setBased && rawValues.length === 0) {
    return { ok: false, error: `${field}.values: must be specified when operator is 'In' or 'NotIn'` };
  }
  if (!setBased && rawValues.length > 0) {
    return { ok: false, error: `${field}.values: may not be specified when operator is 'Exists' or 'DoesNotExist'` };
  }
  return { ok: true, value: { key, operator, values: rawValues, fromMatchLabels: false } };
}

/** Whether one requirement holds; NotIn and DoesNotExist hold when the key is absent (labels.Requirement.Matches). */
export function requirementHolds(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case "In":
      return present && value !== undefined && requirement.values.includes(value);
    case "NotIn":
      return !present || value === undefined || !requirement.values.includes(value);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}

/** Whether the selector selects a pod with these labels. */
export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((requirement) => requirementHolds(requirement, labels));
}

/** Says, per failed requirement, how the pod labels differ: "app=web (pod has app=api)". */
export function explainMismatch(selector: LabelSelector, labels: Readonly<Record<string, string>>): string[] {
  return selector.requirements
    .filter((requirement) => !requirementHolds(requirement, labels))
    .map((requirement) => `${describeRequirement(requirement)} (${describeLabel(requirement.key, labels)})`);
}

/** A requirement in kubectl's selector syntax. */
export function describeRequirement(requirement: Requirement): string {
  const { key, operator, values } = requirement;
  switch (operator) {
    case "In":
      return values.length === 1 ? `${key}=${values[0] ?? ""}` : `${key} in (${values.join(",")})`;
    case "NotIn":
      return `${key} notin (${values.join(",")})`;
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
  }
}

function describeLabel(key: string, labels: Readonly<Record<string, string>>): string {
  const value = labels[key];
  return value === undefined ? `pod has no label ${key}` : `pod has ${key}=${value}`;
}
