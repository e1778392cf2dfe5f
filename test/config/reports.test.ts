import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, hasKubectl, kustomize, kustomizeWith, list, one } from "./render.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe.skipIf(!hasKubectl())("config/reports: the opt-in CronJob that keeps PolicyReports current", () => {
  const objects = hasKubectl() ? kustomizeWith(join(ROOT, "config", "default"), [join(ROOT, "config", "reports")]).objects : [];

  it("runs the audit with --write-reports as its own ServiceAccount, with the install's policy and image, never two at once", () => {
    const cron = one(objects, "CronJob", "netguard-reporter");
    expect(at(cron, "metadata.namespace")).toBe("netguard-system");
    expect(at(cron, "spec.concurrencyPolicy")).toBe("Forbid");
    const pod = at(cron, "spec.jobTemplate.spec.template.spec");
    expect(at(pod, "serviceAccountName")).toBe("netguard-reporter");
    const container = at(pod, "containers.0");
    expect(at(container, "args")).toEqual(["audit", "--policy=/etc/netguard/policy/policy.yaml", "--write-reports", "--report-api=wgpolicyk8s.io/v1alpha2"]);
    expect(at(container, "image")).toBe(at(one(objects, "Deployment", "webhook"), "spec.template.spec.containers.0.image"));
    expect(at(pod, "volumes.0.configMap.name")).toBe(at(one(objects, "ConfigMap", "policy"), "metadata.name"));
    expect(at(container, "securityContext")).toEqual(at(one(objects, "Deployment", "webhook"), "spec.template.spec.containers.0.securityContext"));
  });

  it("binds the read-only auditor role and a role that writes only reports named netguard", () => {
    const subjects = [{ kind: "ServiceAccount", name: "netguard-reporter", namespace: "netguard-system" }];
    expect(at(one(objects, "ClusterRoleBinding", "netguard-reporter-auditor"), "roleRef.name")).toBe(at(one(objects, "ClusterRole", "netguard-auditor"), "metadata.name"));
    expect(at(one(objects, "ClusterRoleBinding", "netguard-reporter-auditor"), "subjects")).toEqual(subjects);
    expect(at(one(objects, "ClusterRoleBinding", "netguard-reporter"), "subjects")).toEqual(subjects);
    const rules = list(one(objects, "ClusterRole", "netguard-reporter"), "rules");
    for (const rule of rules) {
      expect(["wgpolicyk8s.io", "openreports.io"]).toContain((at(rule, "apiGroups") as string[])[0]);
      const verbs = at(rule, "verbs") as string[];
      if (verbs.some((verb) => verb !== "list")) expect(at(rule, "resourceNames")).toEqual(["netguard"]);
    }
    // The auditor role reads and never writes.
    const auditor = list(one(objects, "ClusterRole", "netguard-auditor"), "rules").flatMap((rule) => at(rule, "verbs") as string[]);
    expect(auditor.filter((verb) => !["get", "list", "watch"].includes(verb))).toEqual([]);
  });

  it("isolates the reporter's Pods (they take no traffic), and is absent without the component", () => {
    const policy = one(objects, "NetworkPolicy", "netguard-reporter");
    expect(at(policy, "spec")).toEqual({ podSelector: { matchLabels: { "app.kubernetes.io/name": "netguard", "app.kubernetes.io/component": "reporter" } }, policyTypes: ["Ingress"] });
    const plain = kustomize(join(ROOT, "config", "default")).objects;
    expect(plain.filter((o) => String(at(o, "metadata.name")).includes("reporter"))).toEqual([]);
  });
});
