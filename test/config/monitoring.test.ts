import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, hasKubectl, kustomizeWith, list, one } from "./render.js";

const ROOT = join(import.meta.dirname, "..", "..");
const COMPONENTS = ["service-monitor", "alerts", "dashboard"].map((c) => join(ROOT, "config", "monitoring", c));

describe.skipIf(!hasKubectl())("config/monitoring: the operations objects, wired to what the install runs", () => {
  const objects = hasKubectl() ? kustomizeWith(join(ROOT, "config", "default"), COMPONENTS).objects : [];

  it("the ServiceMonitor scrapes a Service that selects the webhook Pods' metrics port", () => {
    const deployment = one(objects, "Deployment", "webhook");
    const service = one(objects, "Service", "netguard-metrics");
    const monitor = one(objects, "ServiceMonitor", "netguard");
    expect(at(monitor, "metadata.namespace")).toBe("netguard-system");
    expect(at(service, "metadata.namespace")).toBe("netguard-system");
    const labels = at(service, "metadata.labels") as Record<string, string>;
    for (const [key, value] of Object.entries(at(monitor, "spec.selector.matchLabels") as Record<string, string>)) expect(labels[key]).toBe(value);
    expect(at(service, "spec.selector")).toEqual(at(deployment, "spec.selector.matchLabels"));
    const port = list(service, "spec.ports")[0];
    expect(at(monitor, "spec.endpoints.0.port")).toBe(at(port, "name"));
    const probes = list(deployment, "spec.template.spec.containers.0.ports").find((p) => at(p, "name") === at(port, "targetPort"));
    expect(at(probes, "containerPort")).toBe(8080);
    // The install's own NetworkPolicy already admits the metrics port.
    const allowed = list(one(objects, "NetworkPolicy", "allow-webhook-traffic"), "spec.ingress.0.ports").map((p) => at(p, "port"));
    expect(allowed).toContain(8080);
  });

  it("the PrometheusRule and the dashboard ConfigMap land in netguard's namespace, the dashboard labelled for the Grafana sidecar", () => {
    expect(at(one(objects, "PrometheusRule", "netguard"), "metadata.namespace")).toBe("netguard-system");
    const dashboard = one(objects, "ConfigMap", "netguard-dashboard");
    expect(at(dashboard, "metadata.labels")).toMatchObject({ grafana_dashboard: "1", "app.kubernetes.io/part-of": "netguard" });
    const json = JSON.parse(String((at(dashboard, "data") as Record<string, string>)["netguard.json"])) as { uid: string; panels: { targets: unknown[] }[] };
    expect(json.uid).toBe("netguard");
    expect(json.panels.every((panel) => panel.targets.length > 0)).toBe(true);
  });
});
