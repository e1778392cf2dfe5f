import type { KubeObject, ObjectRef } from "../kube/object.js";
import { verifiedOwners } from "../kube/owners.js";
import { isRuleSubject, readSubject } from "../kube/subject.js";
import type { Policy } from "../policy/policy.js";
import { findExemption, type ExemptionMatch } from "./exemptions.js";
import { overrideFor, type NamespaceOverride } from "./overrides.js";
import {
  ACTION_STRENGTH,
  type Action,
  type AppliedOverride,
  type ExpiredExemption,
  type Finding,
  type Inventory,
  type Problem,
  type Report,
  type Rule,
  type RuleContext,
  type RuleId,
  type Surface,
  type UnappliedOverride,
  type Violation,
  type ViolationBudget,
  type WaivedFinding,
} from "./types.js";

/** Everything an evaluation needs besides the objects; each front door assembles its own. */
export interface EvaluationInput {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly surface: Surface;
  /** Today's date (UTC, YYYY-MM-DD), for exemption expiry; passed in so the engine has no clock. */
  readonly today: string;
  /** The namespace of objects that name none (kubectl's default). */
  readonly defaultNamespace: string;
  /**
   * Whether an exemption of an object's controller covers the object (an exempt DaemonSet's Pods). The
   * webhook allows it only for requests from the controllers themselves; check and audit always.
   */
  readonly followOwners?: boolean;
  /**
   * Findings (and waived findings) kept per object; past it each violation only reaches onOmitted, so
   * the webhook's memory per review stays bounded whatever a caller repeats. Unlimited when absent.
   */
  readonly maxFindingsPerObject?: number;
  readonly onOmitted?: (omitted: OmittedFinding) => void;
}

/** A violation past the per-object limit: what a caller needs to count it and compare it across an UPDATE. */
export interface OmittedFinding {
  readonly rule: RuleId;
  readonly action: Action;
  readonly key: string;
  readonly waived: boolean;
}

/** The single engine entry point used by the webhook, `check` and `audit`. */
export function evaluate(objects: Iterable<KubeObject>, input: EvaluationInput): Report {
  const findings: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const expired: ExpiredExemption[] = [];
  const problems: Problem[] = [];
  const unappliedOverrides: UnappliedOverride[] = [];
  // One lookup of a namespace's labels and overrides per evaluation, however many objects it holds.
  const overrides = new Map<string, NamespaceOverride>();
  const overrideOf = (namespace: string | undefined): NamespaceOverride | undefined => {
    if (namespace === undefined || input.policy.overrides.length === 0) return undefined;
    let found = overrides.get(namespace);
    if (found === undefined) {
      found = overrideFor(input.policy.overrides, namespace, input.inventory.namespaceLabels);
      overrides.set(namespace, found);
      for (const notice of found.unapplied) unappliedOverrides.push(notice);
    }
    return found;
  };
  // Past the limit, rules hand over only keys (omittedKeys, drained after each rule); one context for
  // the whole evaluation, its count reset per object.
  let remaining = 0;
  let omittedKeys: string[] = [];
  const budget: ViolationBudget = {
    take: (key) => {
      if (remaining > 0) {
        remaining -= 1;
        return true;
      }
      omittedKeys.push(key);
      return false;
    },
  };
  const context: RuleContext = input.maxFindingsPerObject === undefined ? input : { ...input, budget };
  let count = 0;
  for (const object of objects) {
    count += 1;
    const override = isRuleSubject(object) ? overrideOf(object.ref.namespace)?.applied : undefined;
    remaining = input.maxFindingsPerObject ?? 0;
    // Worked out at most once per object, and only once a rule has found something to exempt.
    let owners: ObjectRef[] | undefined;
    const read = readSubject(object, input.defaultNamespace);
    for (const problem of read.problems) {
      const source = object.source ? { file: object.source.file, line: object.source.fieldLine?.(problem.field) ?? object.source.line } : undefined;
      problems.push({ object: object.ref, source, field: problem.field, message: problem.message });
    }
    for (const rule of input.rules) {
      const overridden = override?.rules[rule.id];
      const configured = overridden ?? input.policy.rules[rule.id].action;
      if (configured === "off") continue;
      omittedKeys = [];
      const violations = rule.check(read.subject, context);
      if (violations.length === 0 && omittedKeys.length === 0) continue;
      owners ??= input.followOwners === false || input.inventory.owners === undefined ? [] : verifiedOwners(object, input.inventory.owners);
      const exemption = findExemption(rule.id, object, input.policy, input.today, owners);
      if (exemption.kind === "expired") {
        expired.push({ rule: rule.id, object: object.ref, reason: exemption.reason, expires: exemption.expires });
      }
      for (const violation of violations) {
        record(toFinding(rule, object, violation, configured, overridden === undefined ? undefined : override), exemption, findings, waived);
      }
      for (const key of omittedKeys) input.onOmitted?.({ rule: rule.id, action: configured, key, waived: exemption.kind === "applies" });
    }
  }
  return { objects: count, findings, waived, expired, problems, unappliedOverrides };
}

function record(finding: Finding, exemption: ExemptionMatch, findings: Finding[], waived: WaivedFinding[]): void {
  if (exemption.kind === "applies") waived.push({ finding, reason: exemption.reason, origin: exemption.origin });
  else findings.push(finding);
}

/** The weaker of the policy's action and the violation's cap. */
export function capAction(action: Action, cap: Action | undefined): Action {
  return cap !== undefined && ACTION_STRENGTH[cap] < ACTION_STRENGTH[action] ? cap : action;
}

function toFinding(rule: Rule, object: KubeObject, violation: Violation, configured: Action, override: AppliedOverride | undefined): Finding {
  const action = capAction(configured, violation.maxAction);
  return {
    rule: rule.id,
    action,
    ...(action !== configured ? { cappedFrom: configured } : {}),
    object: object.ref,
    field: violation.field,
    value: violation.value,
    message: violation.message,
    fix: rule.fix,
    key: violation.key,
    details: violation.details ?? [],
    ...(object.source ? { source: { file: object.source.file, line: object.source.fieldLine?.(violation.field) ?? object.source.line } } : {}),
    // Only the override's name, not its rules: outputs say which override set the action.
    ...(override ? { override: { index: override.index, reason: override.reason, scope: override.scope } } : {}),
  };
}

/** Whether any finding denies: `check` and `audit` exit 1 on it, the webhook rejects. */
export function hasDenials(report: Report): boolean {
  return report.findings.some((finding) => finding.action === "deny");
}
