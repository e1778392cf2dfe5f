import type { Action, Inventory, Report, RuleId } from "../engine/types.js";
import { selects } from "../kube/label-selector.js";
import { governsIngress } from "../kube/network-policy.js";
import type { KubeObject } from "../kube/object.js";
import { readPod } from "../kube/pod-template.js";
import { zeroRuleCounts } from "../report/summary.js";

/** Per namespace: workloads, how many an Ingress NetworkPolicy selects, and findings by rule. */
export interface NamespaceSummary {
  readonly namespace: string;
  readonly workloads: number;
  readonly covered: number | null;
  readonly findings: Readonly<Record<RuleId, number>>;
  /** Findings by the action they took after overrides: what switching this namespace to deny would reject is their sum. */
  readonly actions: Readonly<Record<Action, number>>;
}

/** Counts coverage and findings per namespace; coverage is null where it cannot be verified. */
export function summarizeNamespaces(objects: readonly KubeObject[], report: Report, inventory: Inventory): NamespaceSummary[] {
  const rows = new Map<string, { workloads: number; covered: number | null; findings: Record<RuleId, number>; actions: Record<Action, number> }>();
  const row = (namespace: string) => {
    let entry = rows.get(namespace);
    if (entry === undefined) {
      entry = { workloads: 0, covered: 0, findings: zeroRuleCounts(), actions: { deny: 0, warn: 0, audit: 0 } };
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
    const lookup = inventory.networkPolicies(namespace);
    if (!lookup.verified) entry.covered = null;
    else if (entry.covered !== null && lookup.policies.some((p) => governsIngress(p) && p.podSelector.ok && selects(p.podSelector.value, pod.labels))) entry.covered += 1;
  }
  for (const finding of report.findings) {
    const entry = row(finding.object.namespace ?? "default");
    entry.findings[finding.rule] += 1;
    entry.actions[finding.action] += 1;
  }
  return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, entry]) => ({ namespace, ...entry }));
}
