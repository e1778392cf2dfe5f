import { describeRequirement, selects } from "../kube/label-selector.js";
import type { ActionSetting, PolicyOverride } from "../policy/policy.js";
import { globMatches } from "./glob.js";
import { NAMESPACE_NAME_LABEL } from "./inventory.js";
import type { AppliedOverride, NamespaceLabels, RuleId, UnappliedOverride } from "./types.js";

/** The override in force for one namespace (if any), and the selector overrides its unknown labels ruled out. */
export interface NamespaceOverride {
  readonly applied: (AppliedOverride & { readonly rules: Readonly<Partial<Record<RuleId, ActionSetting>>> }) | undefined;
  readonly unapplied: readonly UnappliedOverride[];
}

const NONE: NamespaceOverride = { applied: undefined, unapplied: [] };

/**
 * The first override whose namespaces and selector both match. A selector cannot match a namespace
 * whose labels are unknown: that override is passed over (and reported), and the search goes on.
 */
export function overrideFor(
  overrides: readonly PolicyOverride[],
  namespace: string | undefined,
  labelsOf: ((namespace: string) => NamespaceLabels) | undefined,
): NamespaceOverride {
  if (overrides.length === 0 || namespace === undefined) return NONE;
  let labels: NamespaceLabels | undefined;
  const unapplied: UnappliedOverride[] = [];
  for (const [index, override] of overrides.entries()) {
    if (override.namespaces !== undefined && !override.namespaces.some((pattern) => globMatches(pattern, namespace))) continue;
    if (override.namespaceSelector !== undefined) {
      labels ??= labelsOf?.(namespace) ?? { known: false, reason: "namespace labels are not available here" };
      // Every namespace carries its own name as a label: a selector on that alone needs no lookup.
      const known = labels.known ? labels.labels : override.namespaceSelector.requirements.every((r) => r.key === NAMESPACE_NAME_LABEL) ? { [NAMESPACE_NAME_LABEL]: namespace } : undefined;
      if (known === undefined) {
        if (!labels.known) unapplied.push({ namespace, override: describeOverride(override, index), why: labels.reason });
        continue;
      }
      if (!selects(override.namespaceSelector, known)) continue;
    }
    return { applied: { ...describeOverride(override, index), rules: override.rules }, unapplied };
  }
  return unapplied.length === 0 ? NONE : { applied: undefined, unapplied };
}

/** An override as outputs name it: its index, reason and the namespaces it is for. */
export function describeOverride(override: PolicyOverride, index: number): AppliedOverride {
  const names = override.namespaces?.join(",");
  const selector = override.namespaceSelector && (override.namespaceSelector.requirements.map(describeRequirement).join(",") || "(any labels)");
  const scope = selector === undefined ? (names ?? "") : `${names ?? "namespaces"} labelled ${selector}`;
  return { index, reason: override.reason, scope };
}

/** The short note every output adds to a finding whose action an override set: "(warn in dev-*: reason)". */
export function overrideNote(action: string, override: AppliedOverride): string {
  return `(${action} in ${override.scope}: ${override.reason ?? `overrides[${String(override.index)}]`})`;
}
