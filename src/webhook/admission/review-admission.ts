import { evaluate, type OmittedFinding } from "../../engine/evaluate.js";
import type { Finding, Inventory, Problem, Report, Rule, RuleId, UnappliedOverride } from "../../engine/types.js";
import type { KubeObject } from "../../kube/object.js";
import type { Policy } from "../../policy/policy.js";
import type { AdmissionRequest } from "./admission-review.js";
import { allowed, denied, type AdmissionResponse } from "./admission-response.js";
import { auditAnnotations, boundedWarnings, denialMessage, findingWarnings, omittedWarnings, problemWarnings, retryWarnings, unappliedWarnings } from "./admission-messages.js";

/** What one admission decision needs; the webhook shell fills it per request. */
export interface ReviewDeps {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly today: string;
  /** Whether exemptions of the object's controllers apply (only for requests from the controllers themselves). */
  readonly followOwners?: boolean;
  /** Whether netguard wakes a controller whose Pods it denied once a policy covers them (opt-in: it writes to workloads). */
  readonly controllerWakeUp?: boolean;
}

/** The decision kinds, for logs and metrics. */
export type Decision = "allow" | "warn" | "deny";

/** A decision with what led to it. */
export interface ReviewOutcome {
  readonly response: AdmissionResponse;
  readonly decision: Decision;
  readonly findings: readonly Finding[];
  /** Findings the old object already had (UPDATE): reported as warnings, never denied. */
  readonly preexisting: readonly Finding[];
  readonly object: KubeObject | undefined;
}

/**
 * Findings kept per object in a review. Past it, violations are only counted (deny ones by rule, and
 * told apart as new or already present on an UPDATE): a review of 75,000 violating ports costs a
 * bounded answer and bounded memory, never 75,000 findings.
 */
export const MAX_FINDINGS_PER_REVIEW_OBJECT = 1000;

/** What was counted past the limit: deny findings by rule that are new, and the rest. */
export interface OmittedCounts {
  readonly deny: Map<RuleId, number>;
  warn: number;
  preexisting: number;
}

/** Subresources whose object is the whole Pod with a possibly new spec part; others carry no pod spec change. */
const EVALUATED_SUBRESOURCES = new Set(["", "ephemeralcontainers"]);

/** Decides one AdmissionRequest: pure, so the HTTP shell and the tests share it. */
export function reviewAdmission(request: AdmissionRequest, deps: ReviewDeps): ReviewOutcome {
  const pass = (object?: KubeObject): ReviewOutcome => ({ response: allowed(request.uid), decision: "allow", findings: [], preexisting: [], object });
  // DELETE removes exposure and CONNECT (exec, port-forward) carries options, not an object.
  if (request.operation === "DELETE" || request.operation === "CONNECT") return pass();
  if (!EVALUATED_SUBRESOURCES.has(request.subResource)) return pass();
  // parseAdmissionReview guarantees the object for CREATE and UPDATE.
  const object = request.object;
  if (object === undefined) return pass();
  // Only new violations deny on UPDATE: objects created before a rule existed keep working when touched.
  // The old object's identities are all kept (as strings), those past the limit too.
  let before: Set<string> | undefined;
  if (request.operation === "UPDATE" && request.oldObject !== undefined) {
    const seen = new Set<string>();
    for (const finding of run(request.oldObject, deps, (o) => seen.add(key(o.rule, o.key))).findings) seen.add(identity(finding));
    before = seen;
  }
  const omitted: OmittedCounts = { deny: new Map(), warn: 0, preexisting: 0 };
  const report = run(object, deps, (o) => {
    if (o.waived || o.action === "audit") return;
    if (o.action === "warn") omitted.warn += 1;
    else if (before?.has(key(o.rule, o.key))) omitted.preexisting += 1;
    else omitted.deny.set(o.rule, (omitted.deny.get(o.rule) ?? 0) + 1);
  });
  let findings = report.findings;
  let preexisting: Finding[] = [];
  if (before !== undefined) {
    const old = before;
    preexisting = findings.filter((finding) => finding.action === "deny" && old.has(identity(finding)));
    findings = findings.filter((finding) => !preexisting.includes(finding));
  }
  return decide(request.uid, object, { findings, preexisting, problems: report.problems, unapplied: report.unappliedOverrides, omitted, wakeUp: deps.controllerWakeUp === true });
}

function run(object: KubeObject, deps: ReviewDeps, onOmitted: (omitted: OmittedFinding) => void): Report {
  const { rules, policy, inventory, today } = deps;
  return evaluate([object], {
    rules,
    policy,
    inventory,
    today,
    surface: "admission",
    defaultNamespace: object.ref.namespace ?? "default",
    followOwners: deps.followOwners === true,
    maxFindingsPerObject: MAX_FINDINGS_PER_REVIEW_OBJECT,
    onOmitted,
  });
}

function identity(finding: Finding): string {
  return key(finding.rule, finding.key);
}

function key(rule: RuleId, violationKey: string): string {
  return `${rule}\u0000${violationKey}`;
}

function decide(
  uid: string,
  object: KubeObject,
  results: { findings: readonly Finding[]; preexisting: readonly Finding[]; problems: readonly Problem[]; unapplied: readonly UnappliedOverride[]; omitted: OmittedCounts; wakeUp: boolean },
): ReviewOutcome {
  const { findings, preexisting, omitted } = results;
  const omittedAny = omitted.deny.size > 0 || omitted.warn > 0 || omitted.preexisting > 0;
  // Most requests: nothing found, nothing unreadable.
  if (findings.length === 0 && preexisting.length === 0 && results.problems.length === 0 && results.unapplied.length === 0 && !omittedAny) return { response: allowed(uid), decision: "allow", findings, preexisting, object };
  const denials = findings.filter((f) => f.action === "deny");
  const denies = denials.length > 0 || omitted.deny.size > 0;
  const warnings = boundedWarnings(
    findingWarnings(findings.filter((f) => f.action === "warn")),
    // How a workload's denied Pods retry, only for a workload that is let in.
    retryWarnings(denies ? [] : findings, results.wakeUp),
    findingWarnings(preexisting, "already present before this update, not denied: "),
    // A field netguard cannot read is said out loud rather than passed over (the API server's own
    // validation normally rejects such objects before any webhook sees them).
    problemWarnings(object, results.problems),
    unappliedWarnings(results.unapplied),
    omittedWarnings(omitted.warn, omitted.preexisting, MAX_FINDINGS_PER_REVIEW_OBJECT),
  );
  const audits = auditAnnotations(findings.filter((f) => f.action === "audit"));
  if (denies) {
    return { response: denied(uid, denialMessage(object.ref, denials, omitted.deny), warnings, audits), decision: "deny", findings, preexisting, object };
  }
  const decision: Decision = warnings.length > 0 ? "warn" : "allow";
  return { response: allowed(uid, warnings, audits), decision, findings, preexisting, object };
}

/** Whether a denial rests on ingress-policy coverage, which the shell confirms with a live read first. */
export function deniesForCoverage(outcome: ReviewOutcome): boolean {
  return outcome.decision === "deny" && outcome.findings.some((f) => f.rule === "ingress-policy" && f.action === "deny");
}
