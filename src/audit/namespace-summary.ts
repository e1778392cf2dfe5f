import type { Inventory, Report, RuleId } from "../engine/types.js";
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
}

/** Counts coverage and findings per namespace; coverage is null where it cannot be verified. */
export function summarizeNamespaces(objects: readonly KubeObject[], report: Report, inventory: Inventory): NamespaceSummary[] {
  const rows = new Map<string, { workloads: number; covered: number | null; findings: Record<RuleId, number> }>();
  const row = (namespace: string) => {
    let entry = rows.get(namespace);
    if (entry === undefined) {
      entry = { workloads: 0, covered: 0, findings: zeroRuleCounts() };
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
  for (const finding of report.findings) row(finding.object.namespace ?? "default").findings[finding.rule] += 1;
  return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, entry]) => ({ namespace, ...entry }));
}
