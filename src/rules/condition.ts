/**
 * A small condition language over the fields of one place a rule looks at (a pod spec, a container
 * port, a Service port, a NetworkPolicy port). The engine evaluates it here; `netguard vap` compiles
 * the very same tree to CEL, so a stateless rule states its condition once.
 */

/** The fields a condition or message may read; each site offers some of them (see sites.ts). */
export type FieldName = "hostNetwork" | "container" | "containerPort" | "hostPort" | "protocol" | "name" | "port" | "direction";

/** A value a field holds once the API server's defaults are applied; undefined means absent. */
export type FieldValue = string | number | boolean | undefined;

/** The values of one element (a port, a pod spec) by field name. */
export type Element = Readonly<Partial<Record<FieldName, FieldValue>>>;

/** A condition over one element. */
export type Condition =
  | { readonly op: "true" }
  | { readonly op: "is-true"; readonly field: FieldName }
  | { readonly op: "equals"; readonly field: FieldName; readonly value: string | number }
  | { readonly op: "same"; readonly left: FieldName; readonly right: FieldName }
  | { readonly op: "one-of"; readonly field: FieldName; readonly values: readonly string[] }
  | { readonly op: "between"; readonly field: FieldName; readonly min: number; readonly max: number }
  | { readonly op: "not"; readonly condition: Condition }
  | { readonly op: "all"; readonly conditions: readonly Condition[] }
  | { readonly op: "any"; readonly conditions: readonly Condition[] };

/** A message part: literal text, a field's value, or a choice on whether a field is present. */
export type MessagePart =
  | string
  | { readonly field: FieldName }
  | { readonly present: FieldName; readonly then: readonly MessagePart[]; readonly otherwise: readonly MessagePart[] };

/** A field is true (booleans only). */
export const isTrue = (field: FieldName): Condition => ({ op: "is-true", field });
/** A field equals a literal. */
export const equals = (field: FieldName, value: string | number): Condition => ({ op: "equals", field, value });
/** Two fields hold the same value. */
export const same = (left: FieldName, right: FieldName): Condition => ({ op: "same", left, right });
/** A field's value is one of a list of strings. */
export const oneOf = (field: FieldName, values: readonly string[]): Condition => ({ op: "one-of", field, values });
/** A numeric field lies in an inclusive range. */
export const between = (field: FieldName, min: number, max: number): Condition => ({ op: "between", field, min, max });
/** Negation. */
export const not = (condition: Condition): Condition => ({ op: "not", condition });
/** Conjunction; all([]) is true. */
export const all = (...conditions: Condition[]): Condition => ({ op: "all", conditions });
/** Disjunction; any([]) is false. */
export const any = (...conditions: Condition[]): Condition => ({ op: "any", conditions });
/** Always true. */
export const always: Condition = { op: "true" };

/** Whether an element meets a condition. */
export function holds(condition: Condition, element: Element): boolean {
  switch (condition.op) {
    case "true":
      return true;
    case "is-true":
      return element[condition.field] === true;
    case "equals":
      return element[condition.field] === condition.value;
    case "same":
      return element[condition.left] === element[condition.right];
    case "one-of": {
      const value = element[condition.field];
      return typeof value === "string" && condition.values.includes(value);
    }
    case "between": {
      const value = element[condition.field];
      return typeof value === "number" && value >= condition.min && value <= condition.max;
    }
    case "not":
      return !holds(condition.condition, element);
    case "all":
      return condition.conditions.every((part) => holds(part, element));
    case "any":
      return condition.conditions.some((part) => holds(part, element));
  }
}

/** Renders a message for an element; an absent value reads "?", as the API server never leaves one absent. */
export function render(parts: readonly MessagePart[], element: Element): string {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") text += part;
    else if ("field" in part) text += String(element[part.field] ?? "?");
    else text += render(isPresent(element[part.present]) ? part.then : part.otherwise, element);
  }
  return text;
}

/** Present: set and not the empty string (an empty Service port name is no name). */
export function isPresent(value: FieldValue): boolean {
  return value !== undefined && value !== "";
}
