import { CORE_SOURCE } from "../../engine/coverage.js";
import { describeRef } from "../../kube/object.js";
import { printable } from "../../report/printable.js";
import { clip, WARNING_MAX } from "./admission-messages.js";
import { allowed, denied, type AdmissionResponse } from "./admission-response.js";
import type { GuardVerdict, StrandedGroup } from "./network-policy-guard.js";

/** Groups named in a message at most; the rest are counted. */
const GROUPS_SHOWN = 5;
/** Labels controllers stamp on every Pod: they tell nothing about which app a group is. */
const GENERATED_LABELS = new Set(["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "batch.kubernetes.io/job-completion-index"]);

type Stranded = Extract<GuardVerdict, { kind: "stranded" }>;
type Unverified = Extract<GuardVerdict, { kind: "unverified" }>;

/** "Deployment shop/web: 3 pods labelled app=web" (a bare Pod: "Pod shop/debug: 1 pod labelled app=debug"). */
export function describeGroup(group: StrandedGroup): string {
  const first = group.pods[0];
  const who = group.owner ? describeRef(group.owner) : first ? describeRef(first.ref) : "Pods";
  const labels = Object.entries(first?.labels ?? {})
    .filter(([key]) => !GENERATED_LABELS.has(key))
    .slice(0, 3)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const count = group.pods.length;
  return `${who}: ${String(count)} ${count === 1 ? "pod" : "pods"}${labels ? ` labelled ${labels}` : " with no labels"}`;
}

/** "NetworkPolicy" while it is the only enabled source (the message users know); with more, any of them would do. */
function podCount(verdict: Stranded): string {
  const what = verdict.sources.every((source) => source === CORE_SOURCE) ? "NetworkPolicy" : "policy of an enabled source";
  return verdict.count === 1 ? `1 non-terminating Pod with no ${what} isolating it` : `${String(verdict.count)} non-terminating Pods with no ${what} isolating them`;
}

function what(verdict: Stranded | Unverified, deleting: boolean): string {
  return `${deleting ? "deleting" : "this change to"} ${describeRef(verdict.policy)}`;
}

/** The one-line answer for Pods a delete or edit strands: who, how many, and how to proceed. */
export function strandedMessage(verdict: Stranded): string {
  const shown = verdict.groups.slice(0, GROUPS_SHOWN).map(describeGroup);
  const rest = verdict.groups.length - shown.length;
  const more = rest > 0 ? `; and ${String(rest)} more ${rest === 1 ? "group" : "groups"}` : "";
  const pods = podCount(verdict);
  const add = verdict.sources.includes(CORE_SOURCE) ? "add a NetworkPolicy that selects them first" : "add a policy of an enabled source that selects them first";
  const proceed = verdict.deleting ? `${add}, or delete the workloads first` : `${add}, or keep this policy selecting them`;
  return printable(`${what(verdict, verdict.deleting)} would leave ${pods} for ingress (${shown.join("; ")}${more}): ${proceed}`);
}

/** Warning lines for the same answer, each within the API server's 256-rune limit. */
export function strandedWarnings(verdict: Stranded): string[] {
  const lines = [`[ingress-policy] ${what(verdict, verdict.deleting)} leaves ${podCount(verdict)} for ingress:`];
  for (const group of verdict.groups.slice(0, GROUPS_SHOWN)) lines.push(`[ingress-policy]   ${describeGroup(group)}`);
  if (verdict.groups.length > GROUPS_SHOWN) lines.push(`[ingress-policy]   and ${String(verdict.groups.length - GROUPS_SHOWN)} more groups`);
  return lines.map((line) => clip(printable(line), WARNING_MAX));
}

/** The answer when the Pods or the other policies cannot be read: never a silent pass. */
export function unverifiedMessage(verdict: Unverified): string {
  return clip(printable(`netguard cannot tell which Pods ${what(verdict, verdict.deleting)} would leave without ingress isolation: ${verdict.reason}`), WARNING_MAX);
}

/** The response for a guarded request: the base review's answer, with the guard's verdict on top. */
export function guardedResponse(uid: string, base: AdmissionResponse, verdict: GuardVerdict): AdmissionResponse {
  if (verdict.kind === "kept") return base;
  const warnings = base.warnings ?? [];
  const audits = base.auditAnnotations ?? {};
  const message = verdict.kind === "stranded" ? strandedMessage(verdict) : unverifiedMessage(verdict);
  const lines = verdict.kind === "stranded" ? strandedWarnings(verdict) : [message];
  switch (verdict.action) {
    case "deny":
      return denied(uid, message, warnings, audits);
    case "warn":
    case "allow":
      return allowed(uid, [...warnings, ...lines], audits);
    case "audit":
      return allowed(uid, warnings, { ...audits, "ingress-policy-guard": message });
  }
}
