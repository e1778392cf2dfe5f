import { overrideNote } from "../../engine/overrides.js";
import type { Finding, RuleId, UnappliedOverride } from "../../engine/types.js";
import { describeRef, type ObjectRef } from "../../kube/object.js";
import { printable } from "../../report/printable.js";

/** The API server cuts warnings past 256 runes once their total passes 4096 runes, and drops the rest. */
export const WARNING_MAX = 256;
const WARNINGS_BUDGET = 4096;
/** Audit annotation keys are qualified-name parts: at most 63 characters, no "/". */
const ANNOTATION_KEY_MAX = 63;

/** A denial's message stays readable in a terminal: about 4 KiB, the rest summarised. */
const MESSAGE_BUDGET = 4000;
/** One finding's part of the message at most (a value or a detail can be long). */
const PART_MAX = 1000;

/**
 * The status message of a denial, on one line like PSA: findings grouped by rule in the order each rule
 * first appears, each with its field, value and message, and the rule's fix once per group (a Pod with
 * twelve UDP ports states the fix once, not twelve times). The first finding is always shown; past the
 * budget the rest are counted per rule ("and N more").
 */
export function denialMessage(ref: ObjectRef, findings: readonly Finding[], omitted: ReadonlyMap<RuleId, number> = new Map()): string {
  const head = `${printable(describeRef(ref))} violates netguard policy: `;
  const groups = new Map<RuleId, Finding[]>();
  for (const f of findings) {
    const group = groups.get(f.rule);
    if (group) group.push(f);
    else groups.set(f.rule, [f]);
  }
  const parts: string[] = [];
  // The rest: findings past the message budget and those past the per-object limit, counted per rule.
  const counts = new Map<string, number>();
  let used = head.length;
  let shown = 0;
  let full = false;
  for (const [rule, group] of groups) {
    const fix = clip(printable(` (fix: ${group[0]?.fix ?? ""})`), PART_MAX);
    const items: string[] = [];
    let size = rule.length + 3 + fix.length + 2;
    for (const f of group) {
      const item = clip(printable(`${f.field}=${f.value}: ${f.message}${detailText(f)}${noteText(f)}`), PART_MAX);
      if (full || (shown > 0 && used + size + item.length + 2 > MESSAGE_BUDGET - 200)) {
        full = true;
        break;
      }
      items.push(item);
      size += item.length + 2;
      shown += 1;
    }
    if (items.length > 0) {
      parts.push(`[${rule}] ${items.join("; ")}${fix}`);
      used += size;
    }
    if (items.length < group.length) counts.set(rule, group.length - items.length);
  }
  for (const [rule, count] of omitted) counts.set(rule, (counts.get(rule) ?? 0) + count);
  let rest = 0;
  for (const count of counts.values()) rest += count;
  if (rest > 0) {
    const byRule = [...counts].map(([rule, count]) => `${rule}: ${count.toLocaleString("en-US")}`).join(", ");
    parts.push(shown > 0 ? `and ${rest.toLocaleString("en-US")} more (${byRule}); netguard check or audit lists every finding` : `${rest.toLocaleString("en-US")} ${rest === 1 ? "finding" : "findings"} past what one review lists (${byRule}); netguard check or audit lists every finding`);
  }
  return `${head}${parts.join("; ")}`;
}

function noteText(finding: Finding): string {
  return finding.override ? ` ${overrideNote(finding.action, finding.override)}` : "";
}

function detailText(finding: Finding): string {
  return finding.details.length > 0 ? ` (${finding.details.join("; ")})` : "";
}

/** Warning lines for findings, each a single printable line of at most 256 runes. */
export function findingWarnings(findings: readonly Finding[], prefix = ""): WarningSource {
  return {
    length: findings.length,
    line: (index) => {
      const finding = findings[index];
      return finding ? `${prefix}[${finding.rule}] ${describeRef(finding.object)}: ${finding.message}${detailText(finding)} (${finding.field})${noteText(finding)}` : "";
    },
  };
}

/** `kubectl rollout restart` works on these; the others are woken by any change, as netguard's own wake-up does. */
const RESTARTABLE = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const CREATES_PODS = new Set([...RESTARTABLE, "ReplicaSet", "ReplicationController", "Job"]);

/**
 * One line per workload whose Pods a capped coverage finding will see denied: the controller retries
 * on its own backoff (up to about 16 minutes, docs/adr/0002), so the line says how to retry at once,
 * or that netguard does it when the opt-in wake-up is installed.
 */
export function retryWarnings(findings: readonly Finding[], wakeUp: boolean): WarningSource {
  const capped = findings.filter((f) => f.rule === "ingress-policy" && f.cappedFrom === "deny" && CREATES_PODS.has(f.object.kind));
  return {
    length: capped.length,
    line: (index) => {
      const finding = capped[index];
      if (!finding) return "";
      const { kind, name, namespace } = finding.object;
      const head = `netguard: Pods of ${describeRef(finding.object)} are denied until their ingress coverage is in place; `;
      if (wakeUp) return `${head}netguard wakes its controller as soon as a policy covers them`;
      const target = `${kind.toLowerCase()}/${name} -n ${namespace ?? "default"}`;
      const retry = RESTARTABLE.has(kind) ? `kubectl rollout restart ${target}` : `kubectl annotate ${target} netguard.io/retry-at="$(date +%s)" --overwrite`;
      return `${head}then "${retry}" retries at once (the controller's own backoff waits up to 16 minutes)`;
    },
  };
}

/** Warning lines for fields that could not be read, naming the object and the field. */
export function problemWarnings(object: { readonly ref: ObjectRef }, problems: readonly { readonly field: string | undefined; readonly message: string }[]): WarningSource {
  return {
    length: problems.length,
    line: (index) => {
      const problem = problems[index];
      return problem ? `netguard could not read ${describeRef(object.ref)} ${problem.field ?? ""}: ${problem.message}` : "";
    },
  };
}

/** Warning lines for overrides a namespace's unknown labels kept from applying: the rule's own action stood. */
export function unappliedWarnings(notices: readonly UnappliedOverride[]): WarningSource {
  return {
    length: notices.length,
    line: (index) => {
      const notice = notices[index];
      return notice ? `netguard: overrides[${String(notice.override.index)}] (${notice.override.scope}) not applied in namespace ${notice.namespace}: ${notice.why}` : "";
    },
  };
}

/** One line each for warn findings and already-present ones that were counted past the per-object limit, not listed. */
export function omittedWarnings(warn: number, preexisting: number, limit: number): WarningSource {
  const lines = [
    ...(warn > 0 ? [`netguard: ${warn.toLocaleString("en-US")} more warn findings past the limit of ${limit.toLocaleString("en-US")} per object, not listed; run netguard check or audit for all of them`] : []),
    ...(preexisting > 0 ? [`netguard: ${preexisting.toLocaleString("en-US")} more findings already present before this update (not denied) past the limit of ${limit.toLocaleString("en-US")} per object, not listed`] : []),
  ];
  return { length: lines.length, line: (index) => lines[index] ?? "" };
}

/** Warning texts built one by one as they are taken (by index: this runs per request), with their count known up front. */
export interface WarningSource {
  readonly length: number;
  readonly line: (index: number) => string;
}

/**
 * All of a response's warnings within what the API server keeps (each at most 256 runes, 4096 in
 * all): lines are built only while they fit, and a closing line counts the rest, so nothing is
 * dropped without a word and a review with a million unreadable entries costs a handful of lines.
 */
export function boundedWarnings(...sources: readonly WarningSource[]): string[] {
  let total = 0;
  for (const source of sources) total += source.length;
  const lines: string[] = [];
  if (total === 0) return lines;
  let used = 0;
  for (const source of sources) {
    for (let index = 0; index < source.length; index += 1) {
      const line = clip(clean(source.line(index)), WARNING_MAX);
      const rest = total - lines.length;
      // Keep room for a closing "N more" line.
      if (used + runes(line) > WARNINGS_BUDGET - 128 && rest > 1) {
        lines.push(`netguard: ${String(rest)} more warnings not shown (warning size limit); run netguard check or audit for all of them`);
        return lines;
      }
      lines.push(line);
      used += runes(line);
    }
  }
  return lines;
}

/** Audit annotations: one key per rule (the API server prefixes the webhook name), findings joined. */
export function auditAnnotations(findings: readonly Finding[]): Record<string, string> {
  const byRule: Record<string, string[]> = {};
  for (const finding of findings) {
    (byRule[finding.rule] ??= []).push(`${finding.field}=${finding.value}: ${finding.message}`);
  }
  return Object.fromEntries(Object.entries(byRule).map(([rule, entries]) => [rule.slice(0, ANNOTATION_KEY_MAX), entries.join("; ")]));
}

/** The API server drops a warning with control characters or invalid UTF-16 silently: show them escaped. */
function clean(text: string): string {
  return printable(text);
}

/** Runes (code points), or for short strings their UTF-16 length: an upper bound, which is safe for a budget. */
function runes(text: string): number {
  return text.length <= WARNING_MAX ? text.length : [...text].length;
}

/** Text cut to at most `max` runes, an ellipsis marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
