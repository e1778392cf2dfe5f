import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { tempDir } from "../support/temp-dir.js";

const ROOT = join(import.meta.dirname, "..", "..");
const promtool = process.env["NETGUARD_PROMTOOL"];

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: { readonly severity: string };
  readonly annotations: Readonly<Record<string, string>>;
}
const RULE = parse(readFileSync(join(ROOT, "config", "monitoring", "alerts", "prometheus_rule.yaml"), "utf8")) as { spec: { groups: { name: string; rules: AlertRule[] }[] } };
const ALERTS = RULE.spec.groups.flatMap((group) => group.rules);

/** One series in promtool's notation: a selector and its values per minute ("0+6x20": 0, 6, 12, … 20 steps). */
type Series = readonly [series: string, values: string];
const NG = 'namespace="netguard-system", pod="netguard-webhook-1"';
const bucket = (le: string, values: string): Series => [`apiserver_admission_webhook_admission_duration_seconds_bucket{name="workloads.netguard.io", type="validating", operation="CREATE", rejected="false", le="${le}"}`, values];

/**
 * Each alert: the series it is for (it must fire at `at`, with these labels besides severity) and a
 * healthy cluster's (nothing fires). Times in minutes from 0, the Unix epoch for time().
 */
const CASES: readonly { alert: string; severity: string; at: string; firing: readonly Series[]; labels: Readonly<Record<string, string>>; healthy: readonly Series[] }[] = [
  {
    alert: "NetguardWebhookCallsFailing",
    severity: "critical",
    at: "15m",
    firing: [['apiserver_admission_webhook_rejection_count{name="workloads.netguard.io", type="validating", operation="CREATE", error_type="calling_webhook_error", rejection_code="500"}', "0+6x20"]],
    labels: { name: "workloads.netguard.io" },
    // Denials are rejections too (error_type no_error): they are netguard working.
    healthy: [
      ['apiserver_admission_webhook_rejection_count{name="workloads.netguard.io", type="validating", operation="CREATE", error_type="no_error", rejection_code="403"}', "0+6x20"],
      ['apiserver_admission_webhook_rejection_count{name="workloads.netguard.io", type="validating", operation="CREATE", error_type="calling_webhook_error", rejection_code="500"}', "4x20"],
    ],
  },
  {
    alert: "NetguardWebhookFailingOpen",
    severity: "critical",
    at: "15m",
    firing: [['apiserver_admission_webhook_fail_open_count{name="network.netguard.io", type="validating"}', "0+1x20"]],
    labels: { name: "network.netguard.io" },
    // Another tool's webhook failing open is not netguard's alert.
    healthy: [
      ['apiserver_admission_webhook_fail_open_count{name="network.netguard.io", type="validating"}', "2x20"],
      ['apiserver_admission_webhook_fail_open_count{name="policy.example.io", type="validating"}', "0+1x20"],
    ],
  },
  {
    alert: "NetguardWebhookLatencyNearTimeout",
    severity: "warning",
    at: "20m",
    firing: [bucket("0.005", "0x30"), bucket("1", "0x30"), bucket("2.5", "0+10x30"), bucket("+Inf", "0+10x30")],
    labels: { name: "workloads.netguard.io" },
    healthy: [bucket("0.005", "0+10x30"), bucket("1", "0+10x30"), bucket("2.5", "0+10x30"), bucket("+Inf", "0+10x30")],
  },
  {
    alert: "NetguardDenialsRising",
    severity: "warning",
    at: "100m",
    // No denials for 80 minutes, then one a second.
    firing: [[`netguard_admission_requests_total{${NG}, kind="Pod", operation="CREATE", decision="deny"}`, "0x80 0+60x30"]],
    labels: {},
    // One a second all along: many, but not a rise.
    healthy: [[`netguard_admission_requests_total{${NG}, kind="Pod", operation="CREATE", decision="deny"}`, "0+60x110"]],
  },
  {
    alert: "NetguardCoverageCacheNotSynced",
    severity: "warning",
    at: "15m",
    firing: [[`netguard_networkpolicy_cache_synced{${NG}}`, "0x20"]],
    labels: { namespace: "netguard-system", pod: "netguard-webhook-1" },
    healthy: [[`netguard_networkpolicy_cache_synced{${NG}}`, "1x20"]],
  },
  {
    alert: "NetguardCoverageSourceNotSynced",
    severity: "warning",
    at: "15m",
    firing: [[`netguard_coverage_source_state{${NG}, source="cilium.io/CiliumNetworkPolicy"}`, "0x20"]],
    labels: { namespace: "netguard-system", pod: "netguard-webhook-1", source: "cilium.io/CiliumNetworkPolicy" },
    // Synced, and not served (-1: a configuration finding the log states, not an outage).
    healthy: [
      [`netguard_coverage_source_state{${NG}, source="cilium.io/CiliumNetworkPolicy"}`, "1x20"],
      [`netguard_coverage_source_state{${NG}, source="projectcalico.org/NetworkPolicy"}`, "-1x20"],
    ],
  },
  {
    alert: "NetguardPolicyReloadFailing",
    severity: "warning",
    at: "5m",
    firing: [
      [`netguard_policy_reloads_total{${NG}, result="invalid"}`, "0 0 0 1 1 1 1 1"],
      [`netguard_policy_reloads_total{${NG}, result="success"}`, "1x8"],
    ],
    labels: { namespace: "netguard-system", pod: "netguard-webhook-1" },
    healthy: [
      [`netguard_policy_reloads_total{${NG}, result="invalid"}`, "0x8"],
      [`netguard_policy_reloads_total{${NG}, result="success"}`, "0+1x8"],
    ],
  },
  {
    alert: "NetguardCertificateExpiresSoon",
    severity: "warning",
    at: "120m",
    // Expires three days after the epoch: inside 7 days, outside one.
    firing: [[`netguard_certificate_expiry_timestamp_seconds{${NG}}`, `${String(3 * 86400)}x150`]],
    labels: { namespace: "netguard-system", pod: "netguard-webhook-1" },
    healthy: [[`netguard_certificate_expiry_timestamp_seconds{${NG}}`, `${String(60 * 86400)}x150`]],
  },
  {
    alert: "NetguardCertificateExpiresSoon",
    severity: "critical",
    at: "20m",
    // Twelve hours left: critical after 10 minutes; the warning waits an hour, so it is still pending.
    firing: [[`netguard_certificate_expiry_timestamp_seconds{${NG}}`, `${String(12 * 3600)}x30`]],
    labels: { namespace: "netguard-system", pod: "netguard-webhook-1" },
    healthy: [[`netguard_certificate_expiry_timestamp_seconds{${NG}}`, `${String(60 * 86400)}x30`]],
  },
];

function run(args: readonly string[], cwd: string): { code: number | null; output: string } {
  const result = spawnSync(promtool ?? "promtool", args, { cwd, encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(promtool === undefined)("config/monitoring/alerts: promtool's own checks and unit tests", () => {
  const dir = tempDir("netguard-alerts-");
  writeFileSync(join(dir, "rules.yaml"), stringify({ groups: RULE.spec.groups }));

  it("promtool check rules accepts them", () => {
    const checked = run(["check", "rules", "rules.yaml"], dir);
    expect(checked.output).toContain(`SUCCESS: ${String(ALERTS.length)} rules found`);
    expect(checked.code).toBe(0);
  });

  it("promtool test rules: each alert fires on the series it is for and stays quiet on a healthy one", () => {
    const annotations = (alert: string, severity: string) => ALERTS.find((rule) => rule.alert === alert && rule.labels.severity === severity)?.annotations ?? {};
    const toSeries = (series: readonly Series[]) => series.map(([name, values]) => ({ series: name, values }));
    const tests = CASES.flatMap((c) => [
      {
        name: `${c.alert} (${c.severity}) fires`,
        interval: "1m",
        input_series: toSeries(c.firing),
        alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: [{ exp_labels: { severity: c.severity, ...c.labels }, exp_annotations: annotations(c.alert, c.severity) }] }],
      },
      { name: `${c.alert} (${c.severity}) stays quiet`, interval: "1m", input_series: toSeries(c.healthy), alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: [] }] },
    ]);
    writeFileSync(join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
    const tested = run(["test", "rules", "tests.yaml"], dir);
    expect(tested.output).toContain("SUCCESS");
    expect(tested.code).toBe(0);
  });

  it("every alert has a case, and links to a section of docs/runbook.md", () => {
    expect(ALERTS.map((rule) => `${rule.alert}/${rule.labels.severity}`).sort()).toEqual(CASES.map((c) => `${c.alert}/${c.severity}`).sort());
    const anchors = new Set(
      readFileSync(join(ROOT, "docs", "runbook.md"), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("## "))
        .map((line) => line.slice(3).trim().toLowerCase()),
    );
    for (const rule of ALERTS) {
      const url = rule.annotations["runbook_url"] ?? "";
      expect(url).toMatch(/^https:\/\/github\.com\/netguard\/netguard\/blob\/main\/docs\/runbook\.md#/);
      expect({ alert: rule.alert, section: anchors.has(url.slice(url.indexOf("#") + 1)) }).toEqual({ alert: rule.alert, section: true });
    }
  });
});
