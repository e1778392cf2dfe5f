import { evaluate } from "../engine/evaluate.js";
import { namedByExemption } from "../engine/exemptions.js";
import type { ExpiredExemption, Finding, Inventory, Problem, Report, Rule, UnappliedOverride, WaivedFinding } from "../engine/types.js";
import type { KubeObject, ObjectRef } from "../kube/object.js";
import { OWNER_KINDS, ownerFacts, verifiedOwners, type OwnerFacts, type OwnerLookup } from "../kube/owners.js";
import type { Policy } from "../policy/policy.js";
import { namespaceTally, type NamespaceSummary } from "./namespace-summary.js";
import { reportedAtOwner } from "./top-level-owners.js";

/** What judging a cluster needs besides its objects; the audit gathers the owners itself, page by page. */
export interface ClusterAuditInput {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  /** NetworkPolicies, the other coverage sources and namespace labels: listed whole before any page. */
  readonly inventory: Omit<Inventory, "owners">;
  readonly today: string;
  /** Keep every reported object's identity (JUnit lists passes too); otherwise only their namespaces. */
  readonly keepChecked: boolean;
}

/** An audit fed one page at a time: it keeps findings and counts, never the pages. */
export interface ClusterAudit {
  /** Judges one page. Controllers must come before what they create (Deployments before ReplicaSets before Pods). */
  readonly page: (objects: readonly KubeObject[]) => void;
  /** Pods could not all be listed: uncovered-Pod counts become unknown. */
  readonly podsUnknown: () => void;
  readonly finish: () => ClusterAuditResult;
}

/** The audit's outcome: the report, what was reported where, how many went to their owner, the table. */
export interface ClusterAuditResult {
  readonly report: Report;
  /** Every reported object when keepChecked, else empty. */
  readonly checked: readonly { readonly ref: ObjectRef }[];
  /** The namespaces of the reported objects ("" for cluster-scoped ones). */
  readonly checkedNamespaces: ReadonlySet<string>;
  readonly skipped: number;
  readonly namespaces: readonly NamespaceSummary[];
}

/**
 * Starts an audit whose memory holds the findings, one key per controller (to report what it created
 * at it) and the facts of only those controllers a policy exemption reaches, not the objects judged.
 */
export function clusterAudit(input: ClusterAuditInput): ClusterAudit {
  const seen = new Set<string>();
  const exemptOwners = new Map<string, OwnerFacts>();
  const controllerKey = (kind: string, uid: string): string => `${kind}\u0000${uid}`;
  const lookup: OwnerLookup = (namespace, kind, name) => exemptOwners.get(`${namespace}\u0000${kind}\u0000${name}`);
  // Owners matter only to exemptions: a controller's facts are kept when an exemption names it or one
  // of its verified owners (a Deployment's ReplicaSet), so its Pods' chains verify as with every owner.
  const reachedByExemption = (object: KubeObject): boolean =>
    input.policy.exemptions.length > 0 && [object.ref, ...verifiedOwners(object, lookup)].some((ref) => namedByExemption(input.policy, ref));
  const inventory: Inventory = { ...input.inventory, owners: lookup };
  const tally = namespaceTally(inventory, { policy: input.policy, today: input.today });
  const checked: { ref: ObjectRef }[] = [];
  const checkedNamespaces = new Set<string>();
  const findings: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const expired: ExpiredExemption[] = [];
  const problems: Problem[] = [];
  // Each page's evaluation says an override it could not apply once; the audit says it once per namespace.
  const unapplied = new Map<string, UnappliedOverride>();
  let objects = 0;
  let skipped = 0;
  const isSeen = (kind: string, uid: string): boolean => seen.has(controllerKey(kind, uid));
  return {
    page: (page) => {
      for (const object of page) {
        if (!OWNER_KINDS.includes(object.ref.kind) || object.ref.uid === undefined) continue;
        seen.add(controllerKey(object.ref.kind, object.ref.uid));
        if (reachedByExemption(object)) exemptOwners.set(`${object.ref.namespace ?? "default"}\u0000${object.ref.kind}\u0000${object.ref.name}`, ownerFacts(object));
      }
      const kept: KubeObject[] = [];
      for (const object of page) {
        if (object.ref.kind === "Pod") tally.pod(object);
        if (reportedAtOwner(object, isSeen)) {
          skipped += 1;
          continue;
        }
        kept.push(object);
        tally.workload(object);
        checkedNamespaces.add(object.ref.namespace ?? "");
        if (input.keepChecked) checked.push({ ref: object.ref });
      }
      const report = evaluate(kept, { rules: input.rules, policy: input.policy, inventory, surface: "cluster", today: input.today, defaultNamespace: "default" });
      objects += report.objects;
      // One by one: a page of large objects may hold more findings than a spread's argument limit.
      for (const finding of report.findings) findings.push(finding);
      for (const entry of report.waived) waived.push(entry);
      for (const entry of report.expired) expired.push(entry);
      for (const problem of report.problems) problems.push(problem);
      for (const notice of report.unappliedOverrides) unapplied.set(`${notice.namespace}\u0000${String(notice.override.index)}`, notice);
    },
    podsUnknown: tally.podsUnknown,
    finish: () => {
      // By namespace, kind and name (an object's findings in rule order): the same report whatever order the kinds were listed in.
      const byObject = (a: ObjectRef | undefined, b: ObjectRef | undefined): number =>
        (a?.namespace ?? "").localeCompare(b?.namespace ?? "") || (a?.kind ?? "").localeCompare(b?.kind ?? "") || (a?.name ?? "").localeCompare(b?.name ?? "");
      findings.sort((a, b) => byObject(a.object, b.object));
      waived.sort((a, b) => byObject(a.finding.object, b.finding.object));
      expired.sort((a, b) => byObject(a.object, b.object));
      checked.sort((a, b) => byObject(a.ref, b.ref));
      const notices = [...unapplied.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
      const report: Report = { objects, findings, waived, expired, problems, unappliedOverrides: notices };
      return { report, checked, checkedNamespaces, skipped, namespaces: tally.rows(report) };
    },
  };
}
