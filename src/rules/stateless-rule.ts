import type { Rule, RuleContext, Violation } from "../engine/types.js";
import type { Subject } from "../kube/subject.js";
import type { Policy } from "../policy/policy.js";
import { holds, isPresent, render, type Condition, type Element, type FieldName, type MessagePart } from "./condition.js";
import { siteElements, type SiteId } from "./sites.js";

/**
 * One thing a stateless rule rejects, stated as data: where to look, when an element offends, what
 * to say, and what identifies it across an edit. The engine runs it below; `netguard vap` compiles
 * the same statement to CEL.
 */
export interface StatelessCheck {
  readonly site: SiteId;
  /** The element's field a finding points at (appended to the element's path). */
  readonly field: FieldName;
  readonly when: Condition;
  readonly message: readonly MessagePart[];
  /**
   * The violation's identity: a prefix and the fields after it, joined by "/" (UPDATE compares it); a
   * list of fields stands for the first one present (a Service port by name, else by number).
   */
  readonly key: { readonly prefix: string | undefined; readonly fields: readonly KeyField[] };
}

/** A field of a key, or alternatives of which the first present one counts. */
export type KeyField = FieldName | readonly FieldName[];

/** A key's part for one field, as the engine and the generated CEL both build it. */
export function keyPart(field: KeyField, values: Element): string {
  if (typeof field === "string") return String(values[field] ?? "?");
  const present = field.find((name) => isPresent(values[name]));
  return present === undefined ? "?" : String(values[present]);
}

/** A rule that needs nothing but the object: its checks depend on the policy only. */
export interface StatelessRule extends Rule {
  readonly checks: (policy: Policy) => readonly StatelessCheck[];
}

/** Builds a rule whose check runs its stated checks over the subject. */
export function statelessRule(definition: Omit<Rule, "check"> & { readonly checks: (policy: Policy) => readonly StatelessCheck[] }): StatelessRule {
  // The checks depend on the policy alone: built once per loaded policy, not once per object.
  const built = new WeakMap<Policy, readonly StatelessCheck[]>();
  const checksFor = (policy: Policy): readonly StatelessCheck[] => {
    let checks = built.get(policy);
    if (checks === undefined) {
      checks = definition.checks(policy);
      built.set(policy, checks);
    }
    return checks;
  };
  return {
    ...definition,
    checks: checksFor,
    check: (subject: Subject, context: RuleContext): Violation[] => {
      const violations: Violation[] = [];
      for (const check of checksFor(context.policy)) {
        for (const element of siteElements(check.site, subject)) {
          if (!holds(check.when, element.values)) continue;
          const key = [...(check.key.prefix === undefined ? [] : [check.key.prefix]), ...check.key.fields.map((field) => keyPart(field, element.values))].join("/");
          if (context.budget && !context.budget.take(key)) continue;
          const value = String(element.values[check.field] ?? "");
          violations.push({
            field: `${element.path}.${check.field}`,
            value: check.field === "protocol" && element.protocolDeclared === false ? `${value} (default)` : value,
            message: render(check.message, element.values),
            key,
          });
        }
      }
      return violations;
    },
  };
}

/** Whether a registry rule is stated as data (and so can become a ValidatingAdmissionPolicy). */
export function isStateless(rule: Rule): rule is StatelessRule {
  return "checks" in rule && typeof (rule as Partial<StatelessRule>).checks === "function";
}
