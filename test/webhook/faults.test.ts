import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/kubeconfig.js";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { container, pod, podSpec } from "../builders.js";
import { fakePolicy, NETWORK_POLICIES } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { httpsClient } from "../support/https-client.js";
import { openLoop } from "../support/load.js";
import { eventually } from "../support/memory-logger.js";
import { admissionReview } from "../support/reviews.js";
import { startTestWebhook } from "../support/webhook-harness.js";
import { tempDir } from "../support/temp-dir.js";

const hostPod = pod("web", podSpec({ hostNetwork: true }));
const allowedOf = (json: unknown): boolean => (json as { response: { allowed: boolean } }).response.allowed;
const fingerprintOf = (cert: string): string => new X509Certificate(cert).fingerprint256;

describe("fault and load tests (loopback, bounded)", () => {
  it("10 certificate rotations while ~500 req/s flow: no failed request, new connections see each new certificate", { timeout: 60_000 }, async () => {
    const h = await startTestWebhook();
    try {
      const body = JSON.stringify(admissionReview(hostPod));
      let rotations = 0;
      const rotating = (async () => {
        for (let i = 0; i < 10; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const leaf = await h.issueLeaf();
          h.secret.swap(leaf);
          const fresh = () => {
            const client = httpsClient(h.ca.cert, { keepAlive: false });
            return client.send(`${h.base}/validate`, body).finally(() => client.close());
          };
          await eventually(fresh, (answer) => answer.peerFingerprint === fingerprintOf(leaf.cert));
          rotations += 1;
        }
      })();
      const load = await openLoop({ rate: 500, durationMs: 4000, send: () => h.client.send(`${h.base}/validate`, body) });
      await rotating;
      expect(rotations).toBe(10);
      expect(load.errors).toEqual([]);
      expect(load.statuses).toEqual({ "200": load.sent });
    } finally {
      await h.stop();
    }
  });

  it("SIGTERM under load: every request the server accepted gets its answer, and it closes within the grace period", { timeout: 30_000 }, async () => {
    const h = await startTestWebhook();
    const body = JSON.stringify(admissionReview(hostPod));
    let stopping: Promise<void> | undefined;
    let stoppedAt = 0;
    const sentAt: number[] = [];
    const failed: number[] = [];
    const load = await openLoop({
      rate: 500,
      durationMs: 2000,
      send: (i) => {
        sentAt[i] = performance.now();
        return h.client.send(`${h.base}/validate`, body).catch((error: unknown) => {
          failed.push(i);
          throw error;
        });
      },
      onTick: (i) => {
        if (i === 500) {
          stoppedAt = performance.now();
          stopping = h.webhook.shutdown({ delayMs: 0, graceMs: 5000 });
        }
      },
    });
    await stopping;
    const took = performance.now() - stoppedAt;
    h.client.close();
    const decided = h.logs().filter((line) => line["msg"] === "admission decision").length;
    // Accepted = decided by the server; each of those reached the client as a 200.
    expect(load.statuses["200"]).toBe(decided);
    expect(Object.keys(load.statuses)).toEqual(["200"]);
    expect(decided + failed.length).toBe(load.sent);
    // Served until the shutdown: a request can only fail if it was sent after it began, or so shortly
    // before that the server had not yet read it from a keep-alive socket it was closing as idle (the
    // client sees a reset; in production --shutdown-delay keeps traffic away before this point).
    for (const i of failed) expect(sentAt[i] ?? 0).toBeGreaterThan(stoppedAt - 50);
    // What failed was refused before the server accepted it (closed listener or a closing idle socket).
    for (const error of load.errors) expect(error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    expect(took).toBeLessThan(5000);
  });

  it("Kubernetes API outage: host-network decisions keep flowing, the informer recovers and sees changes made meanwhile", { timeout: 60_000 }, async () => {
    const api = await startFakeCluster();
    api.put(NETWORK_POLICIES, fakePolicy("shop", "default-deny", { podSelector: {} }));
    const config = loadKubeConfig({ kubeconfig: api.kubeconfig, context: undefined });
    if (!config.ok) throw new Error(config.error);
    const h = await startTestWebhook({ cluster: config.value, cacheRetryMs: 100, liveReadTimeoutMs: 300 });
    try {
      await h.webhook.cache?.synced;
      const inShop = (spec: Record<string, unknown>, ns = "shop") => ({ ...pod("p", spec), metadata: { name: "p", namespace: ns, labels: { app: "p" } } });
      const denied = JSON.stringify(admissionReview(inShop(podSpec({ hostNetwork: true }))));
      const covered = JSON.stringify(admissionReview(inShop(podSpec())));
      const outage = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await api.down();
        api.put(NETWORK_POLICIES, fakePolicy("late", "default-deny", { podSelector: {} }), true);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await api.up();
      })();
      const answers: { index: number; allowed: boolean }[] = [];
      const load = await openLoop({
        rate: 200,
        durationMs: 3000,
        send: async (index) => {
          const answer = await h.client.send(`${h.base}/validate`, index % 2 === 0 ? denied : covered);
          answers.push({ index, allowed: allowedOf(answer.json) });
          return answer;
        },
      });
      await outage;
      expect(load.errors).toEqual([]);
      expect(load.statuses).toEqual({ "200": load.sent });
      // Even: hostNetwork, always denied; odd: covered by the cached policy, allowed through the outage.
      for (const answer of answers) expect(answer.allowed).toBe(answer.index % 2 === 1);
      const late = JSON.stringify(admissionReview(inShop(podSpec(), "late"), { namespace: "late" }));
      await eventually(async () => allowedOf((await h.client.send(`${h.base}/validate`, late)).json), (ok) => ok, 15_000);
      expect(h.webhook.cache?.networkPolicies("late")).toMatchObject({ verified: true, policies: [{ name: "default-deny" }] });
    } finally {
      await h.stop();
      await api.close();
    }
  });

  it("policy reload under load changes decisions without failing a request; a broken file changes nothing", { timeout: 30_000 }, async () => {
    const dir = tempDir("netguard-policy-");
    const file = join(dir, "policy.yaml");
    const strict = "rules:\n  ingress-policy: {action: off}\n";
    writeFileSync(file, strict);
    const parsed = parsePolicyText(strict);
    if (!parsed.ok) throw new Error("bad policy");
    const h = await startTestWebhook({ policy: parsed.value, policyFile: { path: file, text: strict }, pollMs: 100 });
    try {
      const udp = JSON.stringify(admissionReview(pod("dns", podSpec({}, [container("dns", [{ containerPort: 53, protocol: "UDP" }])]))));
      const decisions: { at: number; allowed: boolean }[] = [];
      let swappedAt = Number.POSITIVE_INFINITY;
      let brokenAt = Number.POSITIVE_INFINITY;
      const load = await openLoop({
        rate: 300,
        durationMs: 3000,
        send: async () => {
          const answer = await h.client.send(`${h.base}/validate`, udp);
          decisions.push({ at: performance.now(), allowed: allowedOf(answer.json) });
          return answer;
        },
        onTick: (i) => {
          if (i === 300) {
            writeFileSync(file, "rules:\n  ingress-policy: {action: off}\n  tcp-only: {allowedProtocols: [TCP, UDP]}\n");
            swappedAt = performance.now();
          }
          if (i === 600) {
            writeFileSync(file, "rules:\n  tcp-only: {allowedProtocols: [QUIC]}\n");
            brokenAt = performance.now();
          }
        },
      });
      expect(load.errors).toEqual([]);
      expect(load.statuses).toEqual({ "200": load.sent });
      expect(decisions.filter((d) => d.at < swappedAt).every((d) => !d.allowed)).toBe(true);
      // After the swap decisions turn to allow once and never back; the broken file changed nothing.
      const after = decisions.filter((d) => d.at > swappedAt).map((d) => d.allowed);
      const firstAllowed = after.indexOf(true);
      expect(firstAllowed).toBeGreaterThanOrEqual(0);
      expect(after.slice(firstAllowed).every(Boolean)).toBe(true);
      expect(decisions.filter((d) => d.at > brokenAt).length).toBeGreaterThan(100);
      const metrics = await (await fetch(`${h.health}/metrics`)).text();
      expect(metrics).toMatch(/netguard_policy_reloads_total\{result="success"\} 1/);
      expect(metrics).toMatch(/netguard_policy_reloads_total\{result="invalid"\} 1/);
    } finally {
      await h.stop();
    }
  });
});
