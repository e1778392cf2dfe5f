import { clusterAudit } from "../audit/cluster-audit.js";
import type { NamespaceSummary } from "../audit/namespace-summary.js";
import { loadKubeConfig } from "../cluster/kubeconfig.js";
import { auditedKinds, listPages, type ListedKind } from "../cluster/list-cluster.js";
import { listNamespaceLabels } from "../cluster/namespace-labels.js";
import { coverageIndex, inventoryOf } from "../engine/inventory.js";
import { listCoveragePolicies } from "../cluster/coverage-cache.js";
import type { Inventory, Problem, Report } from "../engine/types.js";
import { readNetworkPolicy } from "../kube/network-policy.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";
import { fitReport, policyReportObjects, reportsYamlChunks, REPORT_APIS } from "../report/policy-report.js";
import { jsonSections } from "../report/json.js";
import { jsonChunks } from "../report/json-chunks.js";
import { writeReports } from "../cluster/report-writer.js";
import { render } from "../report/render.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { VERSION } from "../version.js";
import { exitCodeFor } from "./check.js";
import { parseCommandArgs, usageError } from "./command-args.js";
import { isoDay, type CliIo, type ExitCode } from "./io.js";
import { loadPolicy } from "./load-policy.js";

/** Usage text of `netguard audit`. */
export const AUDIT_USAGE = `Usage: netguard audit [--kubeconfig FILE] [--context NAME] [--namespace NS | --all-namespaces]
                      [--policy FILE] [--output text|json|junit|policyreport]
                      [--report-api wgpolicyk8s.io/v1alpha2|openreports.io/v1alpha1] [--write-reports]

Checks what already runs in a cluster against the network rules (all namespaces unless --namespace).
Each workload is reported once, at its top-level owner; bare Pods are reported.

  --kubeconfig FILE   kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME      kubeconfig context
  --namespace NS      audit one namespace
  --all-namespaces    audit every namespace (the default)
  --policy FILE       policy file (default: built-in policy)
  --output FORMAT     text (default), json, junit, or policyreport (PolicyReports per namespace)
  --report-api API    the PolicyReport API: wgpolicyk8s.io/v1alpha2 (default) or openreports.io/v1alpha1
  --write-reports     keep the reports in the cluster instead of printing them: server-side apply (field
                      manager netguard) of one report per namespace and the cluster report, then delete
                      netguard's own reports that no longer apply (only after a complete listing); prints
                      what it wrote. Exit 0 when all is written, findings or not; 2 on any error.

Exit codes: 0 no deny findings, 1 deny findings, 2 usage error, unreachable cluster, or a kind that
could not be listed (reported in the output; the audit goes on).
`;

/** Dependencies of `netguard audit`. */
export interface AuditDeps {
  readonly io: CliIo;
}

/** `netguard audit`: list the cluster, evaluate with its own NetworkPolicies, report. */
export async function runAudit(argv: readonly string[], deps: AuditDeps): Promise<ExitCode> {
  const { io } = deps;
  const parsed = parseCommandArgs("audit", AUDIT_USAGE, {
    args: [...argv],
    options: {
      kubeconfig: { type: "string" },
      context: { type: "string" },
      namespace: { type: "string", short: "n" },
      "all-namespaces": { type: "boolean", short: "A", default: false },
      policy: { type: "string" },
      output: { type: "string", short: "o" },
      "write-reports": { type: "boolean", default: false },
      "report-api": { type: "string", default: "wgpolicyk8s.io/v1alpha2" },
    },
  }, io);
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed.args;
  const fail = (message: string): ExitCode => usageError(io, "audit", message);

  if (values["write-reports"] && values.output !== undefined) return fail("--write-reports writes the reports to the cluster and prints what it wrote: it takes no --output");
  const output = values.output ?? "text";
  // Code scanning rejects a whole upload whose results point at no file, and a cluster's objects have none.
  if (output === "sarif") return fail("--output sarif is for files (netguard check): GitHub code scanning rejects results without a file, and a cluster's objects have none; use --output policyreport (Policy Reporter, kubectl) or json");
  const format = AUDIT_FORMATS.find((f) => f === output);
  if (format === undefined) return fail(`--output must be one of ${AUDIT_FORMATS.join(", ")}, not "${output}"`);
  const reportApi = REPORT_APIS.find((api) => api === values["report-api"]);
  if (reportApi === undefined) return fail(`--report-api must be one of ${REPORT_APIS.join(", ")}, not "${values["report-api"]}"`);
  if (values.namespace !== undefined && values["all-namespaces"]) return fail("--namespace and --all-namespaces exclude each other");
  const policy = await loadPolicy(values.policy);
  if (!policy.ok) return fail(policy.error);
  const config = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context });
  if (!config.ok) return fail(config.error);
  const server = config.value.getCurrentCluster()?.server ?? "(unknown)";

  const kinds = auditedKinds(config.value);
  const progress = (kind: ListedKind, count: number): void => {
    if (io.stderrIsTty) io.stderr(`\rlisting ${kind.resource}: ${String(count)}`);
  };
  const problems: Problem[] = [];
  const notListed = (kind: ListedKind, error: string, after: number): Problem => ({
    object: undefined,
    source: undefined,
    field: undefined,
    message: after === 0 ? `cannot list ${kind.resource} (${kind.apiVersion}): ${error}; not audited` : `listing ${kind.resource} (${kind.apiVersion}) failed after ${String(after)}: ${error}; the rest not audited`,
  });
  /**
   * Lists one kind page by page, each page's objects to onPage. A failed page ends that kind with a
   * problem; no HTTP status at all means the API server was never reached, which ends the audit.
   */
  const listEach = async (kind: ListedKind, onPage: (objects: KubeObject[]) => void): Promise<{ readonly complete: boolean; readonly unreachable?: string }> => {
    let count = 0;
    try {
      for await (const page of listPages(kind, values.namespace)) {
        if (!page.ok && page.status === undefined) return { complete: false, unreachable: `cannot reach the API server at ${server}: ${page.error}` };
        if (!page.ok) {
          problems.push(notListed(kind, page.error, count));
          return { complete: false };
        }
        onPage(page.items.flatMap((item) => {
          const object = toKubeObject(item, { namespace: undefined });
          return object.ok ? [object.value] : [];
        }));
        count += page.items.length;
        progress(kind, count);
      }
    } finally {
      if (io.stderrIsTty) io.stderr("\n");
    }
    return { complete: true };
  };
  // NetworkPolicies are listed whole first (every workload is judged against them), like the other
  // coverage sources and the namespaces' labels: they are small. Everything else is judged page by page.
  const policyKind = kinds.find((kind) => kind.kind === "NetworkPolicy");
  if (policyKind === undefined) return fail("internal: no NetworkPolicy lister");
  let policyObjects: KubeObject[] = [];
  const policiesListing = await listEach(policyKind, (objects) => {
    for (const object of objects) policyObjects.push(object);
  });
  if (policiesListing.unreachable !== undefined) return fail(policiesListing.unreachable);
  const policiesListed = policiesListing.complete;
  // The other enabled coverage kinds, listed once like check --cluster; one that cannot be listed makes coverage unverified.
  const sources = policy.value.rules["ingress-policy"].sources;
  const others = sources.some((source) => source !== "networking.k8s.io/NetworkPolicy") ? await listCoveragePolicies(config.value, sources) : undefined;
  for (const line of others?.unserved ?? []) io.stderr(`netguard audit: enabled coverage source ${line}: it covers nothing\n`);
  const index = others ? coverageIndex(others.policies) : undefined;
  const coverage = others && index ? { coveragePolicies: (namespace: string) => ({ policies: index(namespace).policies, incomplete: others.incomplete }) } : {};
  const listedPolicies: Pick<Inventory, "networkPolicies"> = policiesListed
    ? inventoryOf(policyObjects.map((object) => readNetworkPolicy(object, "default")))
    : { networkPolicies: () => ({ verified: false, reason: "NetworkPolicies could not be listed" }) };
  // Namespace labels matter to overrides that select namespaces by them and to the coverage kinds' selectors: listed only then.
  const namespaceLabels = policy.value.overrides.some((o) => o.namespaceSelector !== undefined) || others !== undefined ? { namespaceLabels: await listNamespaceLabels(config.value) } : {};
  const today = isoDay(io.now());
  const audit = clusterAudit({ rules: BUILTIN_RULES, policy: policy.value, inventory: { ...listedPolicies, ...coverage, ...namespaceLabels }, today, keepChecked: format === "junit" });
  audit.page(policyObjects);
  // Judged: only their facts (in the inventory) are kept.
  policyObjects = [];
  // Controllers before what they create (auditedKinds' order): a Pod is reported at an owner already seen.
  for (const kind of kinds.filter((k) => k !== policyKind)) {
    const listing = await listEach(kind, audit.page);
    if (listing.unreachable !== undefined) return fail(listing.unreachable);
    if (!listing.complete && kind.kind === "Pod") audit.podsUnknown();
  }
  const { report: evaluated, checked, checkedNamespaces, skipped, namespaces } = audit.finish();
  const report: Report = { ...evaluated, problems: [...problems, ...evaluated.problems] };
  const input = { report, checked, version: VERSION, policy: policy.value };

  if (report.problems.length > 0) io.stderr(`netguard audit: incomplete: ${report.problems.map((p) => p.message).join("; ")}\n`);
  // The enabled coverage sources and whether this cluster serves each (one it does not covers nothing).
  const coverageSources = sources.map((source) => ({ source, served: !(others?.unservedSources ?? []).includes(source) }));
  if (values["write-reports"]) {
    const documents = policyReportObjects(report, checkedNamespaces, io.now(), reportApi, { clusterReport: values.namespace === undefined }).map((doc) => fitReport(doc, io.now()));
    // A partial listing would make live reports look stale: nothing is deleted then.
    const written = await writeReports(config.value, documents, { api: reportApi, namespace: values.namespace, deleteStale: problems.length === 0 });
    const lines = [...written.applied.map((line) => `applied ${line}`), ...written.deleted.map((line) => `deleted ${line} (nothing audited in its namespace any more)`)];
    io.stdout(`${lines.join("\n")}${lines.length > 0 ? "\n" : ""}netguard audit: ${String(written.applied.length)} reports applied, ${String(written.deleted.length)} deleted, ${String(written.errors.length)} errors\n`);
    for (const error of written.errors) io.stderr(`netguard audit: ${error}\n`);
    if (problems.length > 0) io.stderr("netguard audit: stale reports were not deleted: the listing was incomplete\n");
    return written.errors.length > 0 || problems.length > 0 ? 2 : 0;
  }
  // Exactly one document of the chosen format on stdout, whatever the format: one switch, one document,
  // written in pieces (a report per namespace, a finding at a time) so a large cluster's is never one string.
  const document = ((): Iterable<string> => {
    switch (format) {
      case "policyreport":
        return reportsYamlChunks(policyReportObjects(report, checkedNamespaces, io.now(), reportApi, { clusterReport: false }));
      case "json":
        return jsonChunks({ ...jsonSections(input), audit: { cluster: server, skippedOwned: skipped, sources: coverageSources, namespaces } });
      case "text":
        return [`${render("text", input)}${formatNamespaces(namespaces, skipped)}Coverage sources: ${coverageSources.map(({ source, served }) => (served ? source : `${source} (not served)`)).join(", ")}\n`];
      case "junit":
        return [render("junit", input)];
    }
  })();
  for (const chunk of document) io.stdout(chunk);
  return exitCodeFor(report);
}

/** What `audit --output` takes: check's formats but SARIF (a cluster's objects have no file), and PolicyReports. */
const AUDIT_FORMATS = ["text", "json", "junit", "policyreport"] as const;

/** The per-namespace table of the text output. */
export function formatNamespaces(rows: readonly NamespaceSummary[], skipped: number): string {
  // Which kind covers how many workloads, once more than one kind counts (kinds by their short name).
  const bySource = rows.some((r) => r.coveredBy !== null && Object.keys(r.coveredBy).length > 1);
  const header = ["NAMESPACE", "WORKLOADS", "INGRESS-COVERED", ...(bySource ? ["COVERED-BY"] : []), "UNCOVERED-PODS", "host-network", "host-port", "tcp-only", "ingress-policy"];
  const coveredBy = (r: NamespaceSummary): string =>
    r.coveredBy === null
      ? "unknown"
      : Object.entries(r.coveredBy)
          .filter(([, count]) => count > 0)
          .map(([source, count]) => `${source.slice(source.indexOf("/") + 1)}:${String(count)}`)
          .join(",") || "-";
  const table = rows.map((r) => [
    r.namespace,
    String(r.workloads),
    r.covered === null ? "unknown" : `${String(r.covered)}/${String(r.workloads)}`,
    ...(bySource ? [coveredBy(r)] : []),
    r.uncoveredPods === null ? "unknown" : String(r.uncoveredPods),
    ...Object.values(r.findings).map(String),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return `\n${[line(header), ...table.map(line)].join("\n")}\n(${String(skipped)} Pods, ReplicaSets and Jobs reported at their owners)\n`;
}
