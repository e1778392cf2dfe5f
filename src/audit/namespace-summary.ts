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

/** What counting uncovered Pods needs: the policy and the day. */
export interface PodDrift {
  readonly policy: Policy;
  readonly today: string;
}

/** Counts per namespace as pages arrive, so an audit keeps counts rather than objects. */
export interface NamespaceTally {
  /** A reported object (a top-level workload, a Service, a NetworkPolicy): counts when it has a pod template. */
  readonly workload: (object: KubeObject) => void;
  /** Any listed Pod, owned ones too: counts when it runs and nothing isolates it. */
  readonly pod: (pod: KubeObject) => void;
  /** Pods could not all be listed: every uncovered-Pod count is then unknown. */
  readonly podsUnknown: () => void;
  /** The rows, with the report's findings counted in: called once, at the end. */
  readonly rows: (report: Report) => NamespaceSummary[];
}

/** Counts coverage and findings per namespace; coverage is null where it cannot be verified. */
export function namespaceTally(inventory: Inventory, drift: PodDrift): NamespaceTally {
  const sources = drift.policy.rules["ingress-policy"].sources;
  let podsKnown = true;
  const rows = new Map<string, { workloads: number; covered: number | null; coveredBy: Partial<Record<CoverageSource, number>> | null; findings: Record<RuleId, number>; actions: Record<Action, number>; uncoveredPods: number | null }>();
  const row = (namespace: string) => {
    let entry = rows.get(namespace);
    if (entry === undefined) {
      const coveredBy: Partial<Record<CoverageSource, number>> = {};
      for (const source of sources) coveredBy[source] = 0;
      entry = { workloads: 0, covered: 0, coveredBy, findings: zeroRuleCounts(), actions: { deny: 0, warn: 0, audit: 0 }, uncoveredPods: 0 };
      rows.set(namespace, entry);
    }
    return entry;
  };
  return {
    workload: (object) => {
      const pod = readPod(object).pod;
      if (pod === undefined) return;
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
    },
    pod: (pod) => {
      if (pod.ref.kind !== "Pod" || isTerminating(pod)) return;
      const namespace = pod.ref.namespace ?? "default";
      const entry = row(namespace);
      const view = readPod(pod).pod;
      const found = view === undefined ? undefined : coveringSources(inventory, namespace, view, sources);
      if (found?.verified === false) entry.uncoveredPods = null;
      if (entry.uncoveredPods === null || found === undefined || (found.verified && found.covering.length > 0)) return;
      const owners = inventory.owners ? verifiedOwners(pod, inventory.owners) : [];
      if (findExemption("ingress-policy", pod, drift.policy, drift.today, owners).kind !== "applies") entry.uncoveredPods += 1;
    },
    podsUnknown: () => {
      podsKnown = false;
    },
    rows: (report) => {
      for (const finding of report.findings) {
        const entry = row(finding.object.namespace ?? "default");
        entry.findings[finding.rule] += 1;
        entry.actions[finding.action] += 1;
      }
      return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, entry]) => ({ namespace, ...entry, uncoveredPods: podsKnown ? entry.uncoveredPods : null }));
    },
  };
}
