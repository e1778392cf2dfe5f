import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { hasKubectl, kustomize } from "../config/render.js";
import { tempDir } from "../support/temp-dir.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CHART = join(ROOT, "charts", "netguard");
const helm = process.env["NETGUARD_HELM"];
/** Labels a Helm chart carries that a kustomize install has no way to know. */
const HELM_LABELS = ["app.kubernetes.io/managed-by", "app.kubernetes.io/instance", "app.kubernetes.io/version", "helm.sh/chart"];

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

function helmTemplate(args: readonly string[]): Obj[] {
  const text = execFileSync(helm ?? "helm", ["template", "netguard", CHART, "-n", "netguard-system", ...args], { encoding: "utf8" });
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null)
    .map((o) => {
      const labels = Object.fromEntries(Object.entries(o.metadata.labels ?? {}).filter(([key]) => !HELM_LABELS.includes(key)));
      return { ...o, metadata: { ...o.metadata, labels } };
    });
}

/** The kustomize install, less the Namespace (Helm installs into one: --create-namespace). */
function kustomized(dir: string, components: readonly string[] = []): Obj[] {
  let target = dir;
  if (components.length > 0) {
    target = join(tempDir("netguard-chart-"), "overlay");
    mkdirSync(target);
    writeFileSync(join(target, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(target, dir)}\ncomponents:\n${components.map((c) => `  - ${relative(target, join(ROOT, c))}`).join("\n")}\n`);
  }
  return (kustomize(target).objects as Obj[]).filter((o) => o.kind !== "Namespace");
}

const byKey = (objects: readonly Obj[]): Record<string, Obj> => Object.fromEntries(objects.map((o) => [`${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`, o]));

describe.skipIf(helm === undefined || !hasKubectl())("the Helm chart renders what kustomize installs", () => {
  it.each([
    ["defaults = kubectl apply -k .", [], ROOT, []],
    ["certificates.mode=self-managed = kubectl apply -k config/self-managed", ["--set", "certificates.mode=self-managed"], join(ROOT, "config", "self-managed"), []],
    [
      "every opt-in = the components",
      [
        ...["wakeControllers.enabled", "sources.cilium", "sources.calico", "sources.networkPolicyApi", "validatingAdmissionPolicies.enabled", "reports.enabled"],
        ...["monitoring.serviceMonitor.enabled", "monitoring.prometheusRule.enabled", "monitoring.dashboard.enabled"],
      ].flatMap((value) => ["--set", `${value}=true`]),
      ROOT,
      [
        ...["config/wake-controllers", "config/sources/cilium", "config/sources/calico", "config/sources/network-policy-api", "config/vap", "config/reports"],
        ...["config/monitoring/service-monitor", "config/monitoring/alerts", "config/monitoring/dashboard"],
      ],
    ],
  ] as const)("%s, object by object", (_name, args, dir, components) => {
    const chart = byKey(helmTemplate(args));
    const install = byKey(kustomized(dir, components));
    expect(Object.keys(chart).sort()).toEqual(Object.keys(install).sort());
    for (const key of Object.keys(install)) expect({ key, object: chart[key] }).toEqual({ key, object: install[key] });
  });

  it("helm lint passes, and a certificates.mode it does not know is an error naming it", () => {
    expect(execFileSync(helm ?? "helm", ["lint", CHART], { encoding: "utf8" })).toContain("1 chart(s) linted, 0 chart(s) failed");
    let stderr = "";
    try {
      execFileSync(helm ?? "helm", ["template", "netguard", CHART, "--set", "certificates.mode=vault"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('certificates.mode must be cert-manager or self-managed, not "vault"');
  });

  it.each([
    ["ValidatingAdmissionPolicies", "validating-admission-policies.yaml", "config/vap/policies.yaml"],
    ["alerts", "prometheus-rule.yaml", "config/monitoring/alerts/prometheus_rule.yaml"],
    ["dashboard", "netguard-dashboard.json", "config/monitoring/dashboard/netguard.json"],
  ])("the chart's %s are the shipped ones", (_name, file, shipped) => {
    expect(readFileSync(join(CHART, "files", file), "utf8")).toBe(readFileSync(join(ROOT, shipped), "utf8"));
  });

  it("a reports.reportApi it does not know is an error naming it", () => {
    let stderr = "";
    try {
      execFileSync(helm ?? "helm", ["template", "netguard", CHART, "--set", "reports.enabled=true", "--set", "reports.reportApi=v1"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('reports.reportApi must be wgpolicyk8s.io/v1alpha2 or openreports.io/v1alpha1, not "v1"');
  });
});
