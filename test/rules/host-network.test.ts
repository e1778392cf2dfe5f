import { describe, expect, it } from "vitest";
import { container, deployment, pod, podSpec } from "../builders.js";
import { evaluateManifests, findingsOf } from "../evaluate-helper.js";

const hostSpec = podSpec({ hostNetwork: true });
const template = (kind: string, apiVersion: string, wrap: (t: unknown) => Record<string, unknown>) => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "default" },
  ...wrap({ metadata: { labels: { app: "x" } }, spec: hostSpec }),
});

describe("host-network", () => {
  it.each([
    ["Pod", pod("p", hostSpec), "spec.hostNetwork"],
    ["Deployment", deployment("d", hostSpec), "spec.template.spec.hostNetwork"],
    ["ReplicaSet", template("ReplicaSet", "apps/v1", (t) => ({ spec: { template: t } })), "spec.template.spec.hostNetwork"],
    ["StatefulSet", template("StatefulSet", "apps/v1", (t) => ({ spec: { template: t } })), "spec.template.spec.hostNetwork"],
    ["DaemonSet", template("DaemonSet", "apps/v1", (t) => ({ spec: { template: t } })), "spec.template.spec.hostNetwork"],
    ["Job", template("Job", "batch/v1", (t) => ({ spec: { template: t } })), "spec.template.spec.hostNetwork"],
    ["ReplicationController", template("ReplicationController", "v1", (t) => ({ spec: { template: t } })), "spec.template.spec.hostNetwork"],
    ["CronJob", template("CronJob", "batch/v1", (t) => ({ spec: { jobTemplate: { spec: { template: t } } } })), "spec.jobTemplate.spec.template.spec.hostNetwork"],
    ["PodTemplate", template("PodTemplate", "v1", (t) => ({ template: t })), "template.spec.hostNetwork"],
  ])("finds hostNetwork: true on a %s at %s", (_kind, manifest, field) => {
    expect(findingsOf(evaluateManifests([manifest]), "host-network")).toEqual([{ field, value: "true" }]);
  });

  it.each([
    ["hostNetwork false", pod("p", podSpec({ hostNetwork: false }))],
    ["hostNetwork absent", pod("p")],
    ["not a pod-bearing kind", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { hostNetwork: "true" } }],
    ["a custom resource named Deployment in another group", { apiVersion: "example.com/v1", kind: "Deployment", metadata: { name: "c" }, spec: { template: { spec: hostSpec } } }],
    ["a ReplicationController without a template", { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc" }, spec: {} }],
  ])("passes %s", (_name, manifest) => {
    expect(findingsOf(evaluateManifests([manifest]), "host-network")).toEqual([]);
  });

  it("reports a non-boolean hostNetwork as a problem, not a pass", () => {
    const report = evaluateManifests([pod("p", podSpec({ hostNetwork: "yes please" }, [container("a")]))]);
    expect(report.problems.map((p) => [p.field, p.message])).toEqual([["spec.hostNetwork", 'must be true or false, not "yes please"']]);
  });
});
