import { evaluate } from "../engine/evaluate.js";
import type { Finding, Inventory, Problem, Report, Rule, UnappliedOverride } from "../engine/types.js";
import type { KubeObject } from "../kube/object.js";
import type { Policy } from "../policy/policy.js";
import type { AdmissionRequest } from "./admission-review.js";
import { allowed, denied, type AdmissionResponse } from "./admission-response.js";
import { auditAnnotations, boundedWarnings, denialMessage, findingWarnings, problemWarnings, unappliedWarnings } from "./admission-messages.js";

/** What one admission decision needs; the webhook shell fills it per request. */
export interface ReviewDeps {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly today: string;
  /** Whether exemptions of the object's controllers apply (only for requests from the controllers themselves). */
  readonly followOwners?: boolean;
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
  const report = run(object, deps);
  let findings = report.findings;
  let preexisting: Finding[] = [];
  if (request.operation === "UPDATE" && request.oldObject !== undefined) {
    // Only new violations deny: objects created before a rule existed keep working when touched.
    const before = new Set(run(request.oldObject, deps).findings.map(identity));
    preexisting = findings.filter((finding) => finding.action === "deny" && before.has(identity(finding)));
    findings = findings.filter((finding) => !preexisting.includes(finding));
  }
  return decide(request.uid, object, { findings, preexisting, problems: report.problems, unapplied: report.unappliedOverrides });
}

function run(object: KubeObject, deps: ReviewDeps): Report {
  const { rules, policy, inventory, today } = deps;
  return evaluate([object], { rules, policy, inventory, today, surface: "admission", defaultNamespace: object.ref.namespace ?? "default", followOwners: deps.followOwners === true });
}

function identity(finding: Finding): string {
  return `${finding.rule}\u0000${finding.key}`;
}

function decide(
  uid: string,
  object: KubeObject,
  results: { findings: readonly Finding[]; preexisting: readonly Finding[]; problems: readonly Problem[]; unapplied: readonly UnappliedOverride[] },
): ReviewOutcome {
  const { findings, preexisting } = results;
  // Most requests: nothing found, nothing unreadable.
  if (findings.length === 0 && preexisting.length === 0 && results.problems.length === 0 && results.unapplied.length === 0) return { response: allowed(uid), decision: "allow", findings, preexisting, object };
  const denials = findings.filter((f) => f.action === "deny");
  const warnings = boundedWarnings(
    findingWarnings(findings.filter((f) => f.action === "warn")),
    findingWarnings(preexisting, "already present before this update, not denied: "),
    // A field netguard cannot read is said out loud rather than passed over (the API server's own
    // validation normally rejects such objects before any webhook sees them).
    problemWarnings(object, results.problems),
    unappliedWarnings(results.unapplied),
  );
  const audits = auditAnnotations(findings.filter((f) => f.action === "audit"));
  if (denials.length > 0) {
    return { response: denied(uid, denialMessage(object.ref, denials), warnings, audits), decision: "deny", findings, preexisting, object };
  }
  const decision: Decision = warnings.length > 0 ? "warn" : "allow";
  return { response: allowed(uid, warnings, audits), decision, findings, preexisting, object };
}

/** Whether a denial rests on ingress-policy coverage, which the shell confirms with a live read first. */
export function deniesForCoverage(outcome: ReviewOutcome): boolean {
  return outcome.decision === "deny" && outcome.findings.some((f) => f.rule === "ingress-policy" && f.action === "deny");
}
