import { stringify } from "yaml";
import type { Action, Finding, Problem, Report } from "../engine/types.js";
import type { ObjectRef } from "../kube/object.js";
import { overrideJson } from "./json.js";

/** The report APIs netguard writes: the Policy WG's (the default) and OpenReports, where Policy Reporter and Kyverno are moving. */
export const REPORT_APIS = ["wgpolicyk8s.io/v1alpha2", "openreports.io/v1alpha1"] as const;
/** One of REPORT_APIS. */
export type ReportApi = (typeof REPORT_APIS)[number];

/** Each report API's kinds: one report per namespace, one for the cluster. */
export const REPORT_KINDS: Readonly<Record<ReportApi, { readonly namespaced: string; readonly cluster: string }>> = {
  "wgpolicyk8s.io/v1alpha2": { namespaced: "PolicyReport", cluster: "ClusterPolicyReport" },
  "openreports.io/v1alpha1": { namespaced: "Report", cluster: "ClusterReport" },
};
const SEVERITY: Readonly<Record<Action, string>> = { deny: "high", warn: "medium", audit: "low" };
const RESULT: Readonly<Record<Action, string>> = { deny: "fail", warn: "warn", audit: "warn" };

type Entry =
  | { readonly result: string; readonly finding: Finding; readonly reason?: string }
  | { readonly result: "error"; readonly problem: Problem };

/** A PolicyReport (or ClusterPolicyReport, Report, ClusterReport) as netguard writes it. */
export interface ReportObject {
  readonly apiVersion: ReportApi;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Readonly<Record<string, string>> };
  readonly source?: string;
  readonly summary: Readonly<Record<"pass" | "fail" | "warn" | "error" | "skip", number>>;
  readonly results: readonly Readonly<Record<string, unknown>>[];
}

/** The name of every report netguard writes, and the label that marks it as netguard's. */
export const REPORT_NAME = "netguard";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "netguard" } as const;

/** Reports as one YAML stream, plain (no anchors), ready for `kubectl apply -f -`. */
export function reportsYaml(docs: readonly ReportObject[]): string {
  return [...reportsYamlChunks(docs)].join("");
}

/** The same stream a report at a time. */
export function* reportsYamlChunks(docs: readonly ReportObject[]): Generator<string, void, undefined> {
  // aliasDuplicateObjects off: the shared timestamp would otherwise be written as &a1 / *a1.
  for (const doc of docs) yield `---\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/**
 * The reports of an audit: one per namespace with a checked object or a result, and the cluster report
 * when something names no namespace (or always, for a writer that keeps it current). The summary counts
 * exactly the results listed: fail, warn, skip (waived) and error (what could not be audited); clean
 * objects are not listed, so pass is 0.
 */
export function policyReportObjects(report: Report, namespaces: Iterable<string>, now: Date, api: ReportApi, options: { readonly clusterReport: boolean }): ReportObject[] {
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const entries: Entry[] = [
    ...report.findings.map((finding) => ({ result: RESULT[finding.action], finding })),
    ...report.waived.map((waived) => ({ result: "skip", finding: waived.finding, reason: waived.reason })),
    ...report.problems.map((problem) => ({ result: "error" as const, problem })),
  ];
  const byNamespace = new Map<string, Entry[]>(options.clusterReport ? [["", []]] : []);
  for (const namespace of namespaces) if (!byNamespace.has(namespace)) byNamespace.set(namespace, []);
  for (const entry of entries) {
    const namespace = ("finding" in entry ? entry.finding.object.namespace : entry.problem.object?.namespace) ?? "";
    const list = byNamespace.get(namespace);
    if (list) list.push(entry);
    else byNamespace.set(namespace, [entry]);
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, list]) => ({
      apiVersion: api,
      kind: namespace ? REPORT_KINDS[api].namespaced : REPORT_KINDS[api].cluster,
      metadata: { name: REPORT_NAME, ...(namespace ? { namespace } : {}), labels: { ...MANAGED_BY } },
      ...(api === "openreports.io/v1alpha1" ? { source: "netguard" } : {}),
      summary: {
        pass: 0,
        fail: list.filter((e) => e.result === "fail").length,
        warn: list.filter((e) => e.result === "warn").length,
        error: list.filter((e) => e.result === "error").length,
        skip: list.filter((e) => e.result === "skip").length,
      },
      results: list.map((entry) => ("finding" in entry ? findingResult(entry, timestamp) : problemResult(entry.problem, timestamp))),
    }));
}

function findingResult(entry: Extract<Entry, { finding: Finding }>, timestamp: { seconds: number; nanos: number }): Record<string, unknown> {
  const { finding } = entry;
  return {
    source: "netguard",
    policy: "netguard",
    rule: finding.rule,
    category: "network",
    result: entry.result,
    severity: SEVERITY[finding.action],
    scored: true,
    timestamp,
    message: entry.reason ? `${finding.message} (exempted: ${entry.reason})` : finding.message,
    resources: [resourceRef(finding.object)],
    // Properties are a string map. resultID: Policy Reporter's own id hashes name but not namespace or
    // kind, so two workloads of one name would collapse into one row without it.
    properties: {
      resultID: resultId([finding.rule, finding.object.kind, finding.object.namespace ?? "", finding.object.name, finding.object.uid ?? "", finding.key, entry.result]),
      field: finding.field,
      value: finding.value,
      action: finding.action,
      fix: finding.fix,
      ...(finding.override ? { override: String(overrideJson(finding.override)) } : {}),
    },
  };
}

function problemResult(problem: Problem, timestamp: { seconds: number; nanos: number }): Record<string, unknown> {
  const message = `${problem.field ? `${problem.field}: ` : ""}${problem.message}`;
  return {
    source: "netguard",
    policy: "netguard",
    rule: "audit",
    category: "network",
    result: "error",
    severity: "high",
    scored: true,
    timestamp,
    message,
    ...(problem.object ? { resources: [resourceRef(problem.object)] } : {}),
    properties: { resultID: resultId(["error", problem.object?.kind ?? "", problem.object?.namespace ?? "", problem.object?.name ?? "", message]) },
  };
}

function resourceRef(ref: ObjectRef): Record<string, string> {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}), ...(ref.uid ? { uid: ref.uid } : {}) };
}

/** FNV-1a, 64 bits (as Policy Reporter hashes its own ids): stable, short, and the same in every run. */
function resultId(parts: readonly string[]): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(parts.join("\u0000"))) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, "0");
}

/** Below etcd's 1.5 MiB per object, with room for managedFields and the API server's own metadata. */
export const MAX_REPORT_BYTES = 1_000_000;

/**
 * A report that fits in one object: past the limit the last results make way for one error result
 * that says how many are not listed and how to see them all; the summary still counts every result.
 */
export function fitReport(doc: ReportObject, now: Date, maxBytes: number = MAX_REPORT_BYTES): ReportObject {
  const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
  if (size(doc) <= maxBytes) return doc;
  const sizes = doc.results.map(size);
  // Room for the envelope, the summary and the notice itself.
  let budget = maxBytes - size({ ...doc, results: [] }) - 2_000;
  let kept = 0;
  while (kept < sizes.length && budget - (sizes[kept] ?? 0) - 1 >= 0) {
    budget -= (sizes[kept] ?? 0) + 1;
    kept += 1;
  }
  const left = doc.results.length - kept;
  const where = doc.metadata.namespace === undefined ? "" : ` --namespace ${doc.metadata.namespace}`;
  const message = `${String(left)} more results are not listed: this report would pass the API server's object size limit (the summary counts them all); "netguard audit${where}" lists every one`;
  const notice = problemResult({ object: undefined, source: undefined, field: undefined, message }, { seconds: Math.floor(now.getTime() / 1000), nanos: 0 });
  return { ...doc, results: [...doc.results.slice(0, kept), notice] };
}
