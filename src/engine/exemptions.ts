import type { ObjectRef } from "../kube/object.js";
import type { Policy, PolicyExemption } from "../policy/policy.js";
import { globMatches } from "./glob.js";
import type { ExemptionOrigin, RuleId } from "./types.js";

/** Annotation listing exempted rule ids, comma separated; honoured only when the policy allows it. */
export const EXEMPT_ANNOTATION = "netguard.io/exempt";
/** Annotation carrying the required reason for an annotation exemption. */
export const EXEMPT_REASON_ANNOTATION = "netguard.io/exempt-reason";

/** What the exemption search found for one rule on one object. */
export type ExemptionMatch =
  | { readonly kind: "none" }
  | { readonly kind: "applies"; readonly reason: string; readonly origin: ExemptionOrigin }
  | { readonly kind: "expired"; readonly reason: string; readonly expires: string };

/**
 * Finds the exemption for a rule on an object: live policy entries first, then annotations if allowed.
 * A policy entry applies to the object or to any of its verified owners (an exempt DaemonSet's Pods).
 */
export function findExemption(
  rule: RuleId,
  object: { readonly ref: ObjectRef; readonly annotations: Readonly<Record<string, string>> },
  policy: Policy,
  today: string,
  owners: readonly ObjectRef[] = [],
): ExemptionMatch {
  let expired: ExemptionMatch = { kind: "none" };
  for (const exemption of policy.exemptions) {
    if (!covers(exemption, rule, object.ref) && !owners.some((owner) => covers(exemption, rule, owner))) continue;
    if (exemption.expires !== undefined && exemption.expires < today) {
      expired = { kind: "expired", reason: exemption.reason, expires: exemption.expires };
      continue;
    }
    return { kind: "applies", reason: exemption.reason, origin: "policy" };
  }
  if (policy.annotationExemptions) {
    const listed = (object.annotations[EXEMPT_ANNOTATION] ?? "").split(",").map((id) => id.trim());
    const reason = object.annotations[EXEMPT_REASON_ANNOTATION]?.trim() ?? "";
    // An annotation exemption without a reason does not apply: a reason is required everywhere.
    if (listed.includes(rule) && reason !== "") return { kind: "applies", reason, origin: "annotation" };
  }
  return expired;
}

/** Whether a policy exemption entry names an object, for some rule, expired or not (an audit keeps such owners' facts). */
export function namedByExemption(policy: Policy, ref: ObjectRef): boolean {
  return policy.exemptions.some((exemption) => names(exemption, ref));
}

function covers(exemption: PolicyExemption, rule: RuleId, ref: ObjectRef): boolean {
  return (exemption.rules === undefined || exemption.rules.includes(rule)) && names(exemption, ref);
}

function names(exemption: PolicyExemption, ref: ObjectRef): boolean {
  const any = (patterns: readonly string[] | undefined, value: string): boolean =>
    patterns === undefined || patterns.some((pattern) => globMatches(pattern, value));
  return any(exemption.namespaces, ref.namespace ?? "") && (exemption.kinds === undefined || exemption.kinds.includes(ref.kind)) && any(exemption.names, ref.name);
}
