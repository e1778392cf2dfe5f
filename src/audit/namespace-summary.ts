import { findExemption } from "../engine/exemptions.js";
import type { Action, Inventory, Report, RuleId } from "../engine/types.js";
import { coveringSources } from "../engine/coverage.js";
import type { CoverageSource } from "../kube/coverage/source.js";
import { isTerminating, type KubeObject } from "../kube/object.js";
import { verifiedOwners } from "../kube/owners.js";
import type { Policy } from "../policy/policy.js";
import { readPod } from "../kube/pod-template.js";
import { zeroRuleCounts } from "../report/summary.js";

/** Per namespace: workloads, how many an enabled coverage source isolates (and which), and findings by rule. */
export interface NamespaceSummary {
  readonly namespace: string;
  readonly workloads: number;
  readonly covered: number | null;
  /** Per enabled source, the workloads it isolates (one workload may count under several); null when unknown. */
  readonly coveredBy: Readonly<Partial<Record<CoverageSource, number>>> | null;
  readonly findings: Readonly<Record<RuleId, number>>;
  /** Findings by the action they took after overrides: what switching this namespace to deny would reject is their sum. */
  readonly actions: Readonly<Record<Action, number>>;
  /**
   * Running Pods no ingress-isolating NetworkPolicy selects now (not terminating, not exempt from
   * ingress-policy): drift since admission, such as a policy deleted under them. Null when unknown.
   */
  readonly uncoveredPods: number | null;
}

/** What counting uncovered Pods needs: every listed Pod (owned ones too), the policy and the day. */
export interface PodDrift {
  /** Undefined when Pods could not be listed: every count is then unknown. */
  readonly pods: readonly KubeObject[] | undefined;
  readonly policy: Policy;
  readonly today: string;
}

/** Counts coverage and findings per namespace; coverage is null where it cannot be verified. */
export function summarizeNamespaces(objects: readonly KubeObject[], report: Report, inventory: Inventory, drift: PodDrift): NamespaceSummary[] {
  const sources = drift.policy.rules["ingress-policy"].sources;
  const rows = new Map<string, { workloads: number; covered: number | null; coveredBy: Partial<Record<CoverageSource, number>> | null; findings: Record<RuleId, number>; actions: Record<Action, number>; uncoveredPods: number | null }>();
  const row = (namespace: string) => {
    let entry = rows.get(namespace);
    if (entry === undefined) {
      const coveredBy: Partial<Record<CoverageSource, number>> = {};
      for (const source of sources) coveredBy[source] = 0;
      entry = { workloads: 0, covered: 0, coveredBy, findings: zeroRuleCounts(), actions: { deny: 0, warn: 0, audit: 0 }, uncoveredPods: drift.pods === undefined ? null : 0 };
      rows.set(namespace, entry);
    }
    return entry;
  };
  for (const object of objects) {
    const pod = readPod(object).pod;
    if (pod === undefined) continue;
    const namespace = object.ref.namespace ?? "default";
    const entry = row(namespace);
    entry.workloads += 1;
    const found = coveringSources(inventory, namespace, pod, sources);
    if (!found.verified) {
      entry.covered = null;
      entry.coveredBy = null;
    } else if (entry.covered !== null && entry.coveredBy !== null) {
      if (found.covering.length > 0) entry.covered += 1;
      for (const source of found.covering) entry.coveredBy[source] = (entry.coveredBy[source] ?? 0) + 1;
    }
  }
  for (const pod of drift.pods ?? []) {
    if (pod.ref.kind !== "Pod" || isTerminating(pod)) continue;
    const namespace = pod.ref.namespace ?? "default";
    const entry = row(namespace);
    const view = readPod(pod).pod;
    const found = view === undefined ? undefined : coveringSources(inventory, namespace, view, sources);
    if (found?.verified === false) entry.uncoveredPods = null;
    if (entry.uncoveredPods === null || found === undefined || (found.verified && found.covering.length > 0)) continue;
    const owners = inventory.owners ? verifiedOwners(pod, inventory.owners) : [];
    if (findExemption("ingress-policy", pod, drift.policy, drift.today, owners).kind !== "applies") entry.uncoveredPods += 1;
  }
  for (const finding of report.findings) {
    const entry = row(finding.object.namespace ?? "default");
    entry.findings[finding.rule] += 1;
    entry.actions[finding.action] += 1;
  }
  return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, entry]) => ({ namespace, ...entry }));
}
