import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import { toKubeObject, type KubeObject } from "../../src/kube/object.js";
import { verifiedOwners } from "../../src/kube/owners.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";

const object = (body: Record<string, unknown>): KubeObject => {
  const parsed = toKubeObject(body, { namespace: "infra" });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { hostNetwork: true, containers: [{ name: "a", image: "i" }] } });
const controller = (kind: string, name: string, uid: string) => ({ apiVersion: kind === "Deployment" || kind === "ReplicaSet" || kind === "DaemonSet" ? "apps/v1" : "batch/v1", kind, name, uid, controller: true });
const deployment = object({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "agent", namespace: "infra", uid: "d1" }, spec: { selector: {}, template: template({ app: "agent" }) } });
const replicaSet = object({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "agent-5d8f", namespace: "infra", uid: "r1", ownerReferences: [controller("Deployment", "agent", "d1")] },
  spec: { selector: {}, template: template({ app: "agent", "pod-template-hash": "5d8f" }) },
});
const pod = (owner: Record<string, unknown>, labels: Record<string, string> = { app: "agent", "pod-template-hash": "5d8f" }) =>
  object({ apiVersion: "v1", kind: "Pod", metadata: { name: "agent-5d8f-x7k2p", namespace: "infra", labels, ownerReferences: [owner] }, spec: template({}).spec });
const inventory = inventoryFromObjects([deployment, replicaSet], "infra");

describe("verifiedOwners", () => {
  it.each([
    { name: "a Pod of a Deployment's ReplicaSet: both owners", pod: pod(controller("ReplicaSet", "agent-5d8f", "r1")), chain: ["ReplicaSet/agent-5d8f", "Deployment/agent"] },
    { name: "an owner with another uid (a same-named newer one, or a forged reference): none", pod: pod(controller("ReplicaSet", "agent-5d8f", "forged")), chain: [] },
    { name: "a Pod without its owner's template labels: none", pod: pod(controller("ReplicaSet", "agent-5d8f", "r1"), { app: "agent" }), chain: [] },
    { name: "an owner that does not exist: none", pod: pod(controller("ReplicaSet", "agent-0000", "r9")), chain: [] },
    { name: "a kind that does not create Pods: none", pod: pod(controller("Deployment", "agent", "d1")), chain: [] },
  ])("$name", ({ pod: child, chain }) => {
    const inv = inventory.owners;
    if (!inv) throw new Error("no owners");
    expect(verifiedOwners(child, inv).map((ref) => `${ref.kind}/${ref.name}`)).toEqual(chain);
  });
});

describe("an exemption of a workload covers what it creates", () => {
  const parsed = parsePolicyText('exemptions:\n  - reason: node agent (NET-142)\n    rules: [host-network]\n    kinds: [Deployment]\n    names: ["agent*"]\n');
  if (!parsed.ok) throw new Error("bad policy");
  const run = (child: KubeObject, followOwners: boolean) =>
    evaluate([child], { rules: BUILTIN_RULES, policy: parsed.value, inventory, today: "2026-12-01", surface: "admission", defaultNamespace: "infra", followOwners });

  it.each([
    { name: "the Deployment's Pod, ownership followed: waived", child: pod(controller("ReplicaSet", "agent-5d8f", "r1")), follow: true, waived: ["host-network"], found: [] },
    { name: "the same Pod where ownership may not be followed (not the controller asking): denied", child: pod(controller("ReplicaSet", "agent-5d8f", "r1")), follow: false, waived: [], found: ["host-network"] },
    { name: "a Pod claiming the ReplicaSet with a forged uid: denied", child: pod(controller("ReplicaSet", "agent-5d8f", "forged")), follow: true, waived: [], found: ["host-network"] },
    { name: "the ReplicaSet itself (owned by the exempt Deployment): waived", child: replicaSet, follow: true, waived: ["host-network"], found: [] },
  ])("$name", ({ child, follow, waived, found }) => {
    const report = run(child, follow);
    expect(report.waived.map((w) => w.finding.rule)).toEqual(waived);
    expect(report.findings.filter((f) => f.rule === "host-network").map((f) => f.rule)).toEqual(found);
  });
});
