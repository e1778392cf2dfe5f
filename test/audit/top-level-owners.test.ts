import { describe, expect, it } from "vitest";
import { reportedAtOwner } from "../../src/audit/top-level-owners.js";
import { kube } from "../builders.js";

const object = (kind: string, apiVersion: string, name: string, uid: string, owner?: { kind: string; name?: string; uid: string; controller?: boolean }) =>
  kube({ apiVersion, kind, metadata: { name, namespace: "a", uid, ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: owner.kind, name: owner.name ?? "o", uid: owner.uid, controller: owner.controller ?? true }] } : {}) } });

describe("reportedAtOwner", () => {
  it.each([
    ["a Pod owned by an audited ReplicaSet", [object("ReplicaSet", "apps/v1", "o", "r1")], object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1" }), true],
    ["a ReplicaSet owned by an audited Deployment", [object("Deployment", "apps/v1", "o", "d1")], object("ReplicaSet", "apps/v1", "rs", "r1", { kind: "Deployment", uid: "d1" }), true],
    ["a Job owned by an audited CronJob", [object("CronJob", "batch/v1", "o", "c1")], object("Job", "batch/v1", "j", "j1", { kind: "CronJob", uid: "c1" }), true],
    ["a bare Pod", [], object("Pod", "v1", "p", "p1"), false],
    ["a Pod whose owner was not listed", [], object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "gone" }), false],
    ["a Pod whose owner's name was reused (another uid)", [object("ReplicaSet", "apps/v1", "o", "r2")], object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1" }), false],
    ["a Pod claiming an owner of another kind with that uid", [object("DaemonSet", "apps/v1", "o", "r1")], object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1" }), false],
    ["a Pod with a non-controller owner", [object("ReplicaSet", "apps/v1", "o", "r1")], object("Pod", "v1", "p", "p1", { kind: "ReplicaSet", uid: "r1", controller: false }), false],
    ["a StatefulSet owned by a custom resource", [], object("StatefulSet", "apps/v1", "ss", "s1", { kind: "Prometheus", uid: "cr" }), false],
    ["a StatefulSet is never reported at an owner", [object("Deployment", "apps/v1", "o", "d1")], object("StatefulSet", "apps/v1", "ss", "s1", { kind: "Deployment", uid: "d1" }), false],
  ])("%s: %s", (_name, owners, subject, expected) => {
    const seen = new Set(owners.map((o) => `${o.ref.kind}/${o.ref.uid ?? ""}`));
    expect(reportedAtOwner(subject, (kind, uid) => seen.has(`${kind}/${uid}`))).toBe(expected);
  });
});
