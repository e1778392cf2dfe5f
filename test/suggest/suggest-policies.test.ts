import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryFromObjects } from "../../src/engine/inventory.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { suggestPolicies, type Suggestion } from "../../src/suggest/suggest-policies.js";

function suggestionsFor(text: string): Suggestion[] {
  const { objects, problems } = collectObjects([{ file: "in.yaml", text }], [], "default");
  expect(problems).toEqual([]);
  const report = evaluate(objects, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryFromObjects(objects, "default"), surface: "manifests", today: "2026-12-07", defaultNamespace: "default" });
  return suggestPolicies(objects, report.findings, "default");
}

const spec = (suggestion: Suggestion | undefined): unknown => (suggestion?.policy as { spec?: unknown } | undefined)?.spec;
const nameOf = (suggestion: Suggestion | undefined): unknown => (suggestion?.policy as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
const TEMPLATE = "template: {metadata: {labels: {app: web, pod-template-hash: 7c9f}}, spec: {containers: [{name: a, image: b}]}}";

describe("the podSelector a suggestion uses", () => {
  it.each<[string, string, Record<string, string>]>([
    ["a Deployment's matchLabels", `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {selector: {matchLabels: {app: web}}, ${TEMPLATE}}\n`, { app: "web" }],
    ["matchExpressions: the template's labels, without generated ones", `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {selector: {matchExpressions: [{key: app, operator: Exists}]}, ${TEMPLATE}}\n`, { app: "web" }],
    ["a ReplicationController's selector map", `apiVersion: v1\nkind: ReplicationController\nmetadata: {name: w}\nspec: {selector: {app: web}, ${TEMPLATE}}\n`, { app: "web" }],
    ["a Job's generated selector is not reused", `apiVersion: batch/v1\nkind: Job\nmetadata: {name: w}\nspec: {selector: {matchLabels: {controller-uid: x}}, template: {metadata: {labels: {app: job, controller-uid: x}}, spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}\n`, { app: "job" }],
    ["a Pod's own labels", "apiVersion: v1\nkind: Pod\nmetadata: {name: w, labels: {app: web, tier: a}}\nspec: {containers: [{name: a, image: b}]}\n", { app: "web", tier: "a" }],
  ])("%s", (_name, text, matchLabels) => {
    const [suggestion] = suggestionsFor(text);
    expect((spec(suggestion) as { podSelector: unknown }).podSelector).toEqual({ matchLabels });
  });
});

describe("what a suggestion admits", () => {
  it("only containers' ports (not init containers'), each once, with their protocols", () => {
    const [suggestion] = suggestionsFor("apiVersion: v1\nkind: Pod\nmetadata: {name: w, labels: {app: w}}\nspec:\n  initContainers: [{name: i, image: b, ports: [{containerPort: 1}]}]\n  containers:\n    - {name: a, image: b, ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]}\n    - {name: c, image: b, ports: [{containerPort: 80}]}\n");
    expect(spec(suggestion)).toEqual({ podSelector: { matchLabels: { app: "w" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80, protocol: "TCP" }, { port: 53, protocol: "UDP" }] }] });
  });

  it("a Service of another namespace, or selecting other pods, adds nothing", () => {
    const suggestions = suggestionsFor(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: a, labels: {app: w}}\nspec: {containers: [{name: a, image: b, ports: [{containerPort: 80}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: b}\nspec: {type: LoadBalancer, selector: {app: w}, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: t, namespace: a}\nspec: {type: NodePort, selector: {app: other}, ports: [{port: 80}]}\n",
    );
    expect(suggestions.map((suggestion) => suggestion.comments)).toEqual([["isolates its pods for ingress and admits Pods of namespace a on the ports it declares"]]);
  });
});

describe("which objects get one, and its name", () => {
  it("a ReplicaSet whose Deployment is in the input gets none of its own (the Deployment's covers it)", () => {
    const suggestions = suggestionsFor(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, uid: d1}\nspec: {selector: {matchLabels: {app: web}}, ${TEMPLATE}}\n---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web-7c9f, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]}\nspec: {selector: {matchLabels: {app: web}}, ${TEMPLATE}}\n`,
    );
    expect(suggestions.map((suggestion) => `${suggestion.for.kind}/${suggestion.for.name}`)).toEqual(["Deployment/web"]);
  });

  it.each<[string, string, string[]]>([
    ["<name>-ingress", "", ["web-ingress"]],
    ["taken by an existing policy: <kind>-<name>-ingress", "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-ingress}\nspec: {podSelector: {matchLabels: {x: y}}}\n", ["pod-web-ingress"]],
    ["a 253-character name stays within 253", "", ["w".repeat(245) + "-ingress"]],
  ])("%s", (name, extra, names) => {
    const podName = name.startsWith("a 253") ? "w".repeat(253) : "web";
    const suggestions = suggestionsFor(`apiVersion: v1\nkind: Pod\nmetadata: {name: ${podName}, labels: {app: web}}\nspec: {containers: [{name: a, image: b}]}\n${extra}`);
    expect(suggestions.map(nameOf)).toEqual(names);
  });
});
