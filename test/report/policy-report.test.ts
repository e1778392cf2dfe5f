import { describe, expect, it } from "vitest";
import { fitReport, policyReportObjects, type ReportObject } from "../../src/report/policy-report.js";
import type { Finding, Report } from "../../src/engine/types.js";

const NOW = new Date("2026-12-06T12:00:00Z");
const finding = (namespace: string, name: string): Finding => ({
  rule: "tcp-only",
  action: "deny",
  object: { apiVersion: "v1", kind: "Service", namespace, name },
  field: "spec.ports[0].protocol",
  value: "UDP",
  message: `Service ${namespace}/${name} port 53 uses UDP; only TCP is allowed`,
  fix: "Use TCP",
  key: "spec.ports[0]",
  details: [],
});
const report = (findings: Finding[]): Report => ({ objects: findings.length, findings, waived: [], expired: [], problems: [], unappliedOverrides: [] });

describe("policyReportObjects", () => {
  it.each([
    ["a namespace with a checked object but no results still gets a report", [], ["quiet"], false, ["PolicyReport quiet: 0"]],
    ["results go to their namespace's report", [finding("shop", "dns")], ["shop"], false, ["PolicyReport shop: 1"]],
    ["the writer always adds the cluster report, empty when nothing names no namespace", [finding("shop", "dns")], ["shop"], true, ["ClusterPolicyReport : 0", "PolicyReport shop: 1"]],
  ])("%s", (_name, findings, namespaces, clusterReport, expected) => {
    const docs = policyReportObjects(report(findings), namespaces, NOW, "wgpolicyk8s.io/v1alpha2", { clusterReport });
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ""}: ${String(d.results.length)}`)).toEqual(expected);
    for (const doc of docs) expect(doc.metadata).toMatchObject({ name: "netguard", labels: { "app.kubernetes.io/managed-by": "netguard" } });
  });
});

describe("fitReport: a report stays below the API server's object size limit", () => {
  const big = (count: number): ReportObject => {
    const [doc] = policyReportObjects(report(Array.from({ length: count }, (_, i) => finding("shop", `svc-${String(i)}`))), ["shop"], NOW, "wgpolicyk8s.io/v1alpha2", { clusterReport: false });
    if (!doc) throw new Error("no report");
    return doc;
  };
  it.each([
    ["a report under the limit is unchanged", 10, 100_000, false],
    ["a report over the limit keeps what fits and says how many are not listed", 2_000, 100_000, true],
  ])("%s", (_name, count, limit, truncated) => {
    const doc = big(count);
    const fitted = fitReport(doc, NOW, limit);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(limit);
    // The summary counts every result, listed or not.
    expect(fitted.summary).toEqual(doc.summary);
    if (!truncated) {
      expect(fitted).toBe(doc);
      return;
    }
    const notice = fitted.results.at(-1);
    const listed = fitted.results.length - 1;
    expect(listed).toBeGreaterThan(0);
    expect(notice).toMatchObject({ result: "error", rule: "audit", message: `${String(count - listed)} more results are not listed: this report would pass the API server's object size limit (the summary counts them all); "netguard audit --namespace shop" lists every one` });
  });
});
