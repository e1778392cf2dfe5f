import { stringify } from "yaml";
import type { Action, Finding, Problem } from "../engine/types.js";
import type { ObjectRef } from "../kube/object.js";
import { overrideJson } from "./json.js";
import type { RenderInput } from "./render-input.js";

/** The report APIs netguard writes: the Policy WG's (the default) and OpenReports, where Policy Reporter and Kyverno are moving. */
export const REPORT_APIS = ["wgpolicyk8s.io/v1alpha2", "openreports.io/v1alpha1"] as const;
/** One of REPORT_APIS. */
export type ReportApi = (typeof REPORT_APIS)[number];

const KINDS: Readonly<Record<ReportApi, { readonly namespaced: string; readonly cluster: string }>> = {
  "wgpolicyk8s.io/v1alpha2": { namespaced: "PolicyReport", cluster: "ClusterPolicyReport" },
  "openreports.io/v1alpha1": { namespaced: "Report", cluster: "ClusterReport" },
};
const SEVERITY: Readonly<Record<Action, string>> = { deny: "high", warn: "medium", audit: "low" };
const RESULT: Readonly<Record<Action, string>> = { deny: "fail", warn: "warn", audit: "warn" };

type Entry =
  | { readonly result: string; readonly finding: Finding; readonly reason?: string }
  | { readonly result: "error"; readonly problem: Problem };

/**
 * `--output policyreport`: one report per namespace (cluster-scoped objects and problems that name no
 * namespace in the cluster report), ready for `kubectl apply -f -`. Plain YAML, no anchors. The
 * summary counts exactly the results listed: fail, warn, skip (waived) and error (what could not be
 * audited); clean objects are not listed, so pass is 0.
 */
export function renderPolicyReports({ report, checked }: RenderInput, now: Date, api: ReportApi = "wgpolicyk8s.io/v1alpha2"): string {
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const entries: Entry[] = [
    ...report.findings.map((finding) => ({ result: RESULT[finding.action], finding })),
    ...report.waived.map((waived) => ({ result: "skip", finding: waived.finding, reason: waived.reason })),
    ...report.problems.map((problem) => ({ result: "error" as const, problem })),
  ];
  const byNamespace = new Map<string, Entry[]>();
  for (const object of checked) if (!byNamespace.has(object.ref.namespace ?? "")) byNamespace.set(object.ref.namespace ?? "", []);
  for (const entry of entries) {
    const namespace = ("finding" in entry ? entry.finding.object.namespace : entry.problem.object?.namespace) ?? "";
    const list = byNamespace.get(namespace);
    if (list) list.push(entry);
    else byNamespace.set(namespace, [entry]);
  }
  const docs = [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, list]) => ({
      apiVersion: api,
      kind: namespace ? KINDS[api].namespaced : KINDS[api].cluster,
      metadata: { name: "netguard", ...(namespace ? { namespace } : {}), labels: { "app.kubernetes.io/managed-by": "netguard" } },
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
  // aliasDuplicateObjects off: the shared timestamp would otherwise be written as &a1 / *a1.
  return docs.map((doc) => `---\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
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
