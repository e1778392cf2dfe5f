import { describe, expect, it } from "vitest";
import { topLevelObjects } from "../../src/audit/top-level-owners.js";
import { kube } from "../builders.js";

const object = (kind: string, apiVersion: string, name: string, uid: string, owner?: { kind: string; uid: string; controller?: boolean }) =>
  kube({ apiVersion, kind, metadata: { name, namespace: "a", uid, ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: owner.kind, name: "o", uid: owner.uid, controller: owner.controller ?? true }] } : {}) } });

describe("topLevelObjects", () => {
  it.each([
    ["a Pod owned by an audited ReplicaSet is skipped", [object("ReplicaSet", "apps/v1", "rs", "r1"), object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1" })], ["rs"]],
    ["a ReplicaSet owned by an audited Deployment is skipped", [object("Deployment", "apps/v1", "d", "d1"), object("ReplicaSet", "apps/v1", "rs", "r1", { kind: "Deployment", uid: "d1" })], ["d"]],
    ["a Job owned by an audited CronJob is skipped", [object("CronJob", "batch/v1", "cj", "c1"), object("Job", "batch/v1", "j", "j1", { kind: "CronJob", uid: "c1" })], ["cj"]],
    ["a bare Pod is kept", [object("Pod", "v1", "p", "p1")], ["p"]],
    ["a Pod whose owner was not listed is kept", [object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "gone" })], ["p"]],
    ["a non-controller owner does not count", [object("ReplicaSet", "apps/v1", "rs", "r1"), object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1", controller: false })], ["rs", "p"]],
    ["a StatefulSet owned by a custom resource is kept", [object("StatefulSet", "apps/v1", "ss", "s1", { kind: "Prometheus", uid: "cr" })], ["ss"]],
  ])("%s", (_name, objects, kept) => {
    const result = topLevelObjects(objects);
    expect(result.kept.map((o) => o.ref.name)).toEqual(kept);
    expect(result.skipped).toBe(objects.length - kept.length);
  });
});
