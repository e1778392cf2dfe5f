import type { Condition, FieldName, MessagePart } from "../rules/condition.js";
import { FIELD_DEFAULTS } from "../rules/sites.js";
import type { KeyField } from "../rules/stateless-rule.js";

/** How a field reads in CEL: the expression of the (possibly absent) field and its type. */
export interface CelField {
  /** The object holding the field ("p", "variables.spec"), or undefined for a literal. */
  readonly holder: string | undefined;
  /** The JSON name of the field in the holder, or the literal's CEL text. */
  readonly name: string;
  readonly type: "bool" | "int" | "string" | "int-or-string";
}

/** The fields of one element, as CEL reaches them. */
export type CelBindings = Readonly<Partial<Record<FieldName, CelField>>>;

/** A CEL string literal: single-quoted, with backslashes and quotes escaped. */
export function celString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n")}'`;
}

/** A CEL list of strings. */
export function celStrings(values: readonly string[]): string {
  return `[${values.map(celString).join(", ")}]`;
}

function bound(bindings: CelBindings, field: FieldName): CelField {
  const found = bindings[field];
  if (found === undefined) throw new Error(`the CEL generator has no binding for field ${field} here`);
  return found;
}

/** Whether the field is set (a literal always is). */
function presence(field: CelField): string {
  return field.holder === undefined ? "true" : `has(${field.holder}.${field.name})`;
}

/** The field's value with the API server's default for an absent one (FIELD_DEFAULTS), as the engine reads it. */
function valueOf(bindings: CelBindings, name: FieldName): { readonly text: string; readonly guard: string | undefined } {
  const field = bound(bindings, name);
  if (field.holder === undefined) return { text: field.name, guard: undefined };
  const access = `${field.holder}.${field.name}`;
  const fallback = (FIELD_DEFAULTS as Partial<Record<FieldName, string | number | boolean>>)[name];
  if (fallback === undefined) return { text: access, guard: presence(field) };
  const literal = typeof fallback === "string" ? celString(fallback) : String(fallback);
  return { text: `(${presence(field)} ? ${access} : ${literal})`, guard: undefined };
}

/** A condition over one element, in CEL; an absent field without a default makes a comparison false, as in the engine. */
export function conditionCel(condition: Condition, bindings: CelBindings): string {
  const guarded = (name: FieldName, test: (text: string) => string): string => {
    const value = valueOf(bindings, name);
    return value.guard === undefined ? test(value.text) : `(${value.guard} && ${test(value.text)})`;
  };
  switch (condition.op) {
    case "true":
      return "true";
    case "is-true":
      return guarded(condition.field, (text) => `${text} == true`);
    case "equals":
      return guarded(condition.field, (text) => `${text} == ${typeof condition.value === "string" ? celString(condition.value) : String(condition.value)}`);
    case "same": {
      const left = valueOf(bindings, condition.left);
      const right = valueOf(bindings, condition.right);
      const guards = [left.guard, right.guard].filter((guard) => guard !== undefined);
      return `(${[...guards, `${left.text} == ${right.text}`].join(" && ")})`;
    }
    case "one-of":
      return guarded(condition.field, (text) => `${text} in ${celStrings(condition.values)}`);
    case "between":
      return guarded(condition.field, (text) => `(${text} >= ${String(condition.min)} && ${text} <= ${String(condition.max)})`);
    case "not": {
      const inner = conditionCel(condition.condition, bindings);
      return inner === "true" ? "false" : inner === "false" ? "true" : `!${wrap(inner)}`;
    }
    case "all":
      return junction(condition.conditions.map((part) => conditionCel(part, bindings)), " && ", "true", "false");
    case "any":
      return junction(condition.conditions.map((part) => conditionCel(part, bindings)), " || ", "false", "true");
  }
}

/** Joins parts, dropping the neutral constant and collapsing to the absorbing one (all(any()) reads "true"). */
function junction(parts: readonly string[], operator: string, neutral: string, absorbing: string): string {
  if (parts.includes(absorbing)) return absorbing;
  const kept = parts.filter((part) => part !== neutral);
  if (kept.length === 0) return neutral;
  return kept.length === 1 ? (kept[0] ?? neutral) : `(${kept.join(operator)})`;
}

function wrap(text: string): string {
  return text.startsWith("(") && text.endsWith(")") ? text : `(${text})`;
}

/** A field's value as a string, "?" when absent (the engine's rendering). */
function textOf(bindings: CelBindings, name: FieldName): string {
  const field = bound(bindings, name);
  const value = valueOf(bindings, name);
  const asText = field.type === "string" ? value.text : `string(${value.text})`;
  return value.guard === undefined ? asText : `(${value.guard} ? ${asText} : '?')`;
}

/** Whether a field is present and not empty, as the engine's isPresent. */
function presentCel(bindings: CelBindings, name: FieldName): string {
  const field = bound(bindings, name);
  if (field.holder === undefined) return field.name === "''" ? "false" : "true";
  const has = presence(field);
  return field.type === "string" ? `(${has} && ${field.holder}.${field.name} != '')` : has;
}

/** A message template in CEL string concatenation; adjacent literals merge so the expression stays short. */
export function messageCel(parts: readonly MessagePart[], bindings: CelBindings): string {
  const pieces: string[] = [];
  let literal: string | undefined;
  const flush = (): void => {
    if (literal !== undefined) pieces.push(celString(literal));
    literal = undefined;
  };
  for (const part of parts) {
    if (typeof part === "string") {
      literal = (literal ?? "") + part;
      continue;
    }
    flush();
    if ("field" in part) pieces.push(textOf(bindings, part.field));
    else pieces.push(`(${presentCel(bindings, part.present)} ? ${messageCel(part.then, bindings)} : ${messageCel(part.otherwise, bindings)})`);
  }
  flush();
  return pieces.length === 0 ? "''" : pieces.join(" + ");
}

/** A violation's identity in CEL, built exactly as the engine's keyPart joins it. */
export function keyCel(prefix: string | undefined, fields: readonly KeyField[], bindings: CelBindings): string {
  const parts = fields.map((field) => {
    if (typeof field === "string") return textOf(bindings, field);
    // Alternatives: the first present one, else "?".
    return field.reduceRight<string>((rest, name) => `(${presentCel(bindings, name)} ? ${textOf(bindings, name)} : ${rest})`, "'?'");
  });
  return [...(prefix === undefined ? [] : [celString(prefix)]), ...parts].join(" + '/' + ");
}
