import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { metricNames, scrapedNames } from "../support/promql.js";
import { createNamespace } from "./support/netguard.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DASHBOARD = JSON.parse(readFileSync(join(ROOT, "config", "monitoring", "dashboard", "netguard.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
const RULE = parse(readFileSync(join(ROOT, "config", "monitoring", "alerts", "prometheus_rule.yaml"), "utf8")) as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
describeE2e("the dashboard and the alerts read metrics netguard and the API server really export", () => {
  const env = useE2eEnvironment();
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });

  it("every metric name a dashboard panel or an alert uses is in a scrape of netguard or of the API server", async () => {
    // Traffic first: the API server exports a webhook's rejection and fail-open series only once they happen.
    await createNamespace(env.plane(), "e2e-metrics");
    await createNamespace(env.plane(), "e2e-dead-webhook", { "e2e-dead": "true" });
    const pod = (name: string, hostNetwork: boolean) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "e2e-metrics" }, spec: { hostNetwork, containers: [{ name: "a", image: "b" }] } });
    expect((await kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(pod("denied", true)))).code).toBe(1);
    const dead = (name: string, failurePolicy: string) => ({
      name,
      admissionReviewVersions: ["v1"],
      sideEffects: "None",
      failurePolicy,
      timeoutSeconds: 1,
      clientConfig: { url: "https://127.0.0.1:1/dead" },
      namespaceSelector: { matchLabels: { "e2e-dead": "true" } },
      rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }],
    });
    const deadWebhooks = { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "e2e-dead" }, webhooks: [dead("fail.e2e.example.io", "Fail"), dead("ignore.e2e.example.io", "Ignore")] };
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify(deadWebhooks))).code).toBe(0);
    try {
      const created = await kubectl(["create", "configmap", "probe", "-n", "e2e-dead-webhook", "--dry-run=server"]);
      expect(created.stderr).toContain('failed calling webhook "fail.e2e.example.io"');
    } finally {
      await kubectl(["delete", "validatingwebhookconfiguration", "e2e-dead"]);
    }

    const apiserver = await kubectl(["get", "--raw", "/metrics"]);
    expect(apiserver.code).toBe(0);
    const netguard = await (await fetch(`http://127.0.0.1:${String(env.netguard().healthPort)}/metrics`)).text();
    const exported = new Set([...scrapedNames(apiserver.stdout), ...scrapedNames(netguard)]);
    // What the traffic above must have produced, so the check is against a scrape that has them.
    for (const name of ["apiserver_admission_webhook_rejection_count", "apiserver_admission_webhook_fail_open_count", "netguard_admission_requests_total"]) expect(exported).toContain(name);

    const used = [
      ...DASHBOARD.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `dashboard panel "${panel.title}"`, expr: target.expr }))),
      ...RULE.spec.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
    ];
    const missing = used.flatMap(({ where, expr }) => metricNames(expr).filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
    expect(missing).toEqual([]);
    // The extraction finds names at all (a parser that returned nothing would pass the check above).
    expect(new Set(used.flatMap(({ expr }) => metricNames(expr))).size).toBeGreaterThanOrEqual(12);
  });
});
