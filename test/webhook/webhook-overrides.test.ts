import { afterEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { container, pod, podSpec } from "../builders.js";
import { NAMESPACES, type FakeKubeApi } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { eventually } from "../support/memory-logger.js";
import { admissionReview } from "../support/reviews.js";
import { startTestWebhook } from "../support/webhook-harness.js";

interface Answer {
  readonly allowed: boolean;
  readonly message: string;
  readonly warnings: readonly string[];
}
const answerOf = (json: unknown): Answer => {
  const response = (json as { response: { allowed: boolean; status?: { message: string }; warnings?: string[] } }).response;
  return { allowed: response.allowed, message: response.status?.message ?? "", warnings: response.warnings ?? [] };
};

const POLICY = `
rules:
  host-port: audit
  ingress-policy: off
overrides:
  - namespaceSelector: {matchLabels: {env: dev}}
    rules: {host-port: warn}
    reason: developers try things out
  - namespaceSelector: {matchLabels: {env: prod}}
    rules: {host-port: deny}
`;

describe("serve with per-namespace overrides, namespace labels from the cluster", () => {
  let api: FakeKubeApi | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await api?.close();
    stop = undefined;
    api = undefined;
  });

  const start = async () => {
    api = await startFakeCluster();
    api.put(NAMESPACES, { metadata: { name: "dev-1", labels: { env: "dev" } } });
    api.put(NAMESPACES, { metadata: { name: "payments", labels: { env: "prod" } } });
    api.put(NAMESPACES, { metadata: { name: "tools" } });
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    if (!config.ok) throw new Error(config.error);
    const policy = parsePolicyText(POLICY);
    if (!policy.ok) throw new Error("policy");
    const h = await startTestWebhook({ cluster: config.value, cacheRetryMs: 100, policy: policy.value });
    stop = h.stop;
    await h.webhook.cache?.synced;
    return { api, h };
  };
  const agent = (namespace: string) => ({ ...pod("agent", podSpec({}, [container("agent", [{ containerPort: 9100, hostPort: 9100 }])])), metadata: { name: "agent", namespace } });

  it("warns in a namespace labelled dev, denies in one labelled prod, and only records elsewhere", async () => {
    const { api, h } = await start();
    const review = async (namespace: string) => answerOf((await h.post(admissionReview(agent(namespace)))).json);
    const dev = await eventually(() => review("dev-1"), (a) => a.warnings.length > 0 && !a.warnings[0]?.includes("not applied"));
    expect(dev).toEqual({
      allowed: true,
      message: "",
      warnings: ['[host-port] Pod dev-1/agent: container "agent" uses hostPort 9100 (spec.containers[0].ports[0].hostPort) (warn in namespaces labelled env=dev: developers try things out)'],
    });
    const prod = await review("payments");
    expect(prod.allowed).toBe(false);
    expect(prod.message).toBe(
      'Pod payments/agent violates netguard policy: [host-port] spec.containers[0].ports[0].hostPort=9100: container "agent" uses hostPort 9100 (deny in namespaces labelled env=prod: overrides[1]) (fix: Remove hostPort from the container port and reach the pod through a Service (NodePort or LoadBalancer if it must be reachable from outside).)',
    );
    expect(await review("tools")).toEqual({ allowed: true, message: "", warnings: [] });
    expect(api.requests).toContain("GET /api/v1/namespaces?limit=500");
  });

  it("follows a namespace relabelled after the start", async () => {
    const { api, h } = await start();
    const review = async () => answerOf((await h.post(admissionReview(agent("tools")))).json);
    await eventually(review, (a) => a.allowed && a.warnings.length === 0);
    api.put(NAMESPACES, { metadata: { name: "tools", labels: { env: "prod" } } });
    expect((await eventually(review, (a) => !a.allowed)).message).toContain("(deny in namespaces labelled env=prod: overrides[1])");
  });

  it("says so when a namespace's labels are unknown, and keeps the rule's own action", async () => {
    const { h } = await start();
    await eventually(async () => answerOf((await h.post(admissionReview(agent("dev-1")))).json), (a) => a.warnings.some((w) => w.includes("warn in")));
    // A namespace the watch has not seen: the API server would not admit into it, but the answer must not guess.
    const unknown = answerOf((await h.post(admissionReview(agent("brand-new")))).json);
    expect(unknown).toEqual({
      allowed: true,
      message: "",
      warnings: [
        'netguard: overrides[0] (namespaces labelled env=dev) not applied in namespace brand-new: namespace "brand-new" is not in the Namespace cache (yet)',
        'netguard: overrides[1] (namespaces labelled env=prod) not applied in namespace brand-new: namespace "brand-new" is not in the Namespace cache (yet)',
      ],
    });
  });
});
