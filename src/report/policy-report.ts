import { stringify } from "yaml";
import type { Action, Finding } from "../engine/types.js";
import { overrideJson } from "./json.js";
import type { ObjectRef } from "../kube/object.js";
import type { RenderInput } from "./render-input.js";

const SEVERITY: Readonly<Record<Action, string>> = { deny: "high", warn: "medium", audit: "low" };
const RESULT: Readonly<Record<Action, string>> = { deny: "fail", warn: "warn", audit: "warn" };

interface Entry {
  readonly result: string;
  readonly severity: string;
  readonly finding: Finding;
  readonly reason?: string;
}

/** `--output policyreport`: wgpolicyk8s.io/v1alpha2 PolicyReports per namespace, ready for `kubectl apply -f -`. */
export function renderPolicyReports({ report, checked }: RenderInput, now: Date): string {
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const entries: Entry[] = [
    ...report.findings.map((finding) => ({ result: RESULT[finding.action], severity: SEVERITY[finding.action], finding })),
    ...report.waived.map((waived) => ({ result: "skip", severity: SEVERITY[waived.finding.action], finding: waived.finding, reason: waived.reason })),
  ];
  const byNamespace = new Map<string, Entry[]>();
  for (const object of checked) byNamespace.set(object.ref.namespace ?? "", byNamespace.get(object.ref.namespace ?? "") ?? []);
  for (const entry of entries) {
    const namespace = entry.finding.object.namespace ?? "";
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), entry]);
  }
  const docs = [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, list]) => {
      const evaluated = checked.filter((object) => (object.ref.namespace ?? "") === namespace).length;
      const failing = new Set(list.filter((e) => e.result !== "skip").map((e) => refKey(e.finding.object)));
      return {
        apiVersion: "wgpolicyk8s.io/v1alpha2",
        kind: namespace ? "PolicyReport" : "ClusterPolicyReport",
        metadata: {
          name: "netguard",
          ...(namespace ? { namespace } : {}),
          labels: { "app.kubernetes.io/managed-by": "netguard" },
        },
        summary: {
          pass: Math.max(0, evaluated - failing.size),
          fail: list.filter((e) => e.result === "fail").length,
          warn: list.filter((e) => e.result === "warn").length,
          error: 0,
          skip: list.filter((e) => e.result === "skip").length,
        },
        results: list.map((entry) => ({
          source: "netguard",
          policy: "netguard",
          rule: entry.finding.rule,
          category: "network",
          result: entry.result,
          severity: entry.severity,
          scored: true,
          timestamp,
          message: entry.reason ? `${entry.finding.message} (exempted: ${entry.reason})` : entry.finding.message,
          resources: [resourceRef(entry.finding.object)],
          // PolicyReport properties are a string map.
          properties: {
            field: entry.finding.field,
            value: entry.finding.value,
            action: entry.finding.action,
            fix: entry.finding.fix,
            ...(entry.finding.override ? { override: String(overrideJson(entry.finding.override)) } : {}),
          },
        })),
      };
    });
  return docs.map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`).join("");
}

function resourceRef(ref: ObjectRef): Record<string, string> {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}

function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}
