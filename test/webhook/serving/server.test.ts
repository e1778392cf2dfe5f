import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { container, deployment, pod, podSpec } from "../../builders.js";
import { halfSentRequest, httpsClient } from "../../support/https-client.js";
import { eventually } from "../../support/memory-logger.js";
import { issue } from "../../support/pki.js";
import { admissionReview } from "../../support/reviews.js";
import { startTestWebhook } from "../../support/webhook-harness.js";
import { tempDir } from "../../support/temp-dir.js";

type Harness = Awaited<ReturnType<typeof startTestWebhook>>;
const hostPod = pod("web", podSpec({ hostNetwork: true }));

describe("netguard serve over real HTTPS", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startTestWebhook({ bodyLimit: 256 * 1024 });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("denies with the full v1 response, echoing the uid and ignoring ?timeout", async () => {
    const answer = await h.post(admissionReview(hostPod, { uid: "uid-1" }));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.json).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: "uid-1",
        allowed: false,
        status: {
          code: 403,
          reason: "Forbidden",
          message:
            "Pod default/web violates netguard policy: [host-network] spec.hostNetwork=true: pod uses the node's network namespace (hostNetwork=true) " +
            "(fix: Remove hostNetwork: true and expose the pod through a Service; exempt node agents that truly need the node's network.); " +
            '[ingress-policy] metadata.labels=app=web: NetworkPolicy coverage in namespace "default" cannot be verified: no cluster is configured ' +
            "(serve runs without a kubeconfig), so no NetworkPolicies are known (fix: Add a NetworkPolicy in the same namespace whose podSelector matches " +
            "the pod labels and whose policyTypes include Ingress (policyTypes omitted counts as Ingress); an empty podSelector {} covers every pod of the namespace.)",
        },
      },
    });
  });

  it("answers v1beta1 in v1beta1", async () => {
    const answer = await h.post(admissionReview(hostPod, { apiVersion: "admission.k8s.io/v1beta1", uid: "b1" }));
    expect(answer.json).toMatchObject({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", response: { uid: "b1", allowed: false } });
  });

  it("warns on a Deployment for missing coverage and allows it", async () => {
    const answer = await h.post(admissionReview(deployment("api"), { uid: "d1" }));
    expect(answer.json).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: "d1",
        allowed: true,
        warnings: [
          expect.stringMatching(/^\[ingress-policy\] Deployment default\/api: NetworkPolicy coverage/),
          'netguard: Pods of Deployment default/api are denied until their ingress coverage is in place; then "kubectl rollout restart deployment/api -n default" retries at once (the controller\'s own backoff waits up to 16 minutes)',
        ],
      },
    });
  });

  it.each([
    ["malformed JSON", "{not json", 400, /^body is not valid JSON: /],
    ["a wrong apiVersion", JSON.stringify({ ...admissionReview(hostPod), apiVersion: "admission.k8s.io/v2" }), 400, /^apiVersion must be/],
    ["a missing uid", JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE" } }), 400, /^request.uid is missing/],
    ["an oversized body", JSON.stringify(admissionReview({ ...hostPod, data: "x".repeat(300 * 1024) })), 413, /exceeds the 262144-byte limit/],
  ])("answers %s with a clear JSON error", async (_name, body, status, error) => {
    const answer = await h.post(body);
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ error: expect.stringMatching(error) });
  });

  it("refuses a body by its Content-Length before reading it, and a chunked one once it passes the limit", async () => {
    const body = JSON.stringify(admissionReview({ ...hostPod, data: "x".repeat(300 * 1024) }));
    const declared = await h.post(body);
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual({ error: `body of ${String(Buffer.byteLength(body))} bytes exceeds the 262144-byte limit` });
    const chunked = await h.client.send(`${h.base}/validate`, body, "POST", { "transfer-encoding": "chunked" });
    expect(chunked.status).toBe(413);
    expect(chunked.json).toEqual({ error: "body exceeds the 262144-byte limit" });
  });

  it("refuses other methods and paths", async () => {
    expect((await h.client.send(`${h.base}/validate`, undefined, "GET")).status).toBe(405);
    expect((await h.client.send(`${h.base}/mutate`, "{}")).status).toBe(404);
  });

  it("serves /healthz, /readyz and /metrics on the plain port", async () => {
    expect((await fetch(`${h.health}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.health}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${h.health}/metrics`)).text();
    expect(metrics).toMatch(/netguard_admission_requests_total\{kind="Pod",operation="CREATE",decision="deny"\} \d+/);
    expect(metrics).toMatch(/netguard_findings_total\{rule="host-network",action="deny"\} \d+/);
    expect(metrics).toMatch(/netguard_admission_duration_seconds_bucket\{le="0.0005",decision="deny"\} \d+/);
    expect(metrics).toMatch(/netguard_certificate_expiry_timestamp_seconds \d+/);
  });

  it("logs one JSON line per decision, without the object body", async () => {
    await h.post(admissionReview(hostPod, { uid: "log-1", dryRun: true }));
    const line = h.logs().find((l) => l["uid"] === "log-1");
    expect(line).toMatchObject({ kind: "Pod", namespace: "default", name: "web", operation: "CREATE", user: "alice", dryRun: true, decision: "deny", rules: ["host-network", "ingress-policy"] });
    expect(typeof line?.["durationMs"]).toBe("number");
    expect(JSON.stringify(h.logs())).not.toContain("example/app");
  });

  it("speaks HTTP/1.1 only and refuses TLS 1.1", async () => {
    const { connect } = await import("node:tls");
    const alpn = await new Promise<string | false>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: h.webhook.port, ca: h.ca.cert, servername: "localhost", ALPNProtocols: ["h2", "http/1.1"] }, () => {
        resolve(socket.alpnProtocol ?? false);
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(alpn).toBe("http/1.1");
    const old = await new Promise<string>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port: h.webhook.port, ca: h.ca.cert, servername: "localhost", maxVersion: "TLSv1.1", minVersion: "TLSv1" }, () => resolve("connected"));
      socket.on("error", (error) => resolve(error.message));
    });
    expect(old).not.toBe("connected");
  });
});

describe("certificate rotation the kubelet way", () => {
  it("new handshakes get the new certificate, no request fails, a mismatched pair is refused", async () => {
    const h = await startTestWebhook();
    try {
      const first = await h.post(admissionReview(hostPod));
      const oldFingerprint = first.peerFingerprint;
      // A long-lived connection opened before the swap keeps working.
      const next = await h.issueLeaf();
      h.secret.swap(next);
      const fresh = () => {
        const client = httpsClient(h.ca.cert, { keepAlive: false });
        return client.send(`${h.base}/validate`, JSON.stringify(admissionReview(hostPod))).finally(() => client.close());
      };
      const rotated = await eventually(fresh, (a) => a.peerFingerprint !== oldFingerprint);
      expect(rotated.status).toBe(200);
      expect((await h.post(admissionReview(hostPod))).status).toBe(200);

      const other = await h.issueLeaf();
      h.secret.swap({ cert: other.cert, key: next.key });
      await eventually(
        async () => (await (await fetch(`${h.health}/metrics`)).text()).match(/netguard_certificate_reloads_total\{result="failure"\} (\d+)/)?.[1],
        (count) => Number(count ?? 0) > 0,
      );
      const still = await fresh();
      expect(still.status).toBe(200);
      expect(still.peerFingerprint).toBe(rotated.peerFingerprint);
    } finally {
      await h.stop();
    }
  });
});

describe("client certificates", () => {
  it("with --client-ca-file only a client the CA signed gets through", async () => {
    const { makeCa } = await import("../../support/pki.js");
    const clientCa = await makeCa("api server client CA");
    const h = await startTestWebhook({ clientCa: clientCa.cert });
    try {
      await expect(h.post(admissionReview(hostPod))).rejects.toThrow();
      const leaf = await issue(clientCa, { cn: "kube-apiserver", client: true });
      const client = httpsClient(h.ca.cert, { cert: leaf.cert, key: leaf.key });
      expect((await client.send(`${h.base}/validate`, JSON.stringify(admissionReview(hostPod)))).status).toBe(200);
      client.close();
    } finally {
      await h.stop();
    }
  });
});

describe("policy reload", () => {
  it("a changed policy file changes decisions; a broken one changes nothing", async () => {
    const dir = tempDir("netguard-policy-");
    const file = join(dir, "policy.yaml");
    const text = "rules:\n  ingress-policy: off\n";
    writeFileSync(file, text);
    const { parsePolicyText } = await import("../../../src/policy/parse-policy-text.js");
    const parsed = parsePolicyText(text);
    if (!parsed.ok) throw new Error("bad test policy");
    const h = await startTestWebhook({ policy: parsed.value, policyFile: { path: file, text } });
    try {
      const udp = pod("dns", podSpec({}, [container("dns", [{ containerPort: 53, protocol: "UDP" }])]));
      expect((await h.post(admissionReview(udp))).json).toMatchObject({ response: { allowed: false } });
      writeFileSync(file, "rules:\n  ingress-policy: off\n  tcp-only: {allowedProtocols: [TCP, UDP]}\n");
      await eventually(async () => (await h.post(admissionReview(udp))).json, (json) => (json as { response: { allowed: boolean } }).response.allowed);
      writeFileSync(file, "rules:\n  tcp-only: {action: maybe}\n");
      await eventually(
        async () => (await (await fetch(`${h.health}/metrics`)).text()).match(/netguard_policy_reloads_total\{result="invalid"\} (\d+)/)?.[1],
        (count) => Number(count ?? 0) > 0,
      );
      expect((await h.post(admissionReview(udp))).json).toMatchObject({ response: { allowed: true } });
      // An alias bomb crashed the process on reload: now it is one more invalid reload, and the policy stays.
      writeFileSync(file, ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, n) => `b${String(n)}: &${String.fromCharCode(98 + n)} [${Array(10).fill(`*${String.fromCharCode(97 + n)}`).join(", ")}]`)].join("\n"));
      await eventually(
        async () => (await (await fetch(`${h.health}/metrics`)).text()).match(/netguard_policy_reloads_total\{result="invalid"\} (\d+)/)?.[1],
        (count) => Number(count ?? 0) > 1,
      );
      expect((await h.post(admissionReview(udp))).json).toMatchObject({ response: { allowed: true } });
      expect(h.logs().filter((line) => line["msg"] === "new policy is invalid; keeping the policy in use").at(-1)?.["errors"]).toMatch(/\(yaml\): aliases expand this document to more than 400000 nodes/);
    } finally {
      await h.stop();
    }
  });
});

describe("graceful shutdown", () => {
  it("answers every request it accepted, then closes", async () => {
    const h = await startTestWebhook();
    const { Agent } = await import("node:https");
    const agent = new Agent({ ca: h.ca.cert, keepAlive: true, maxSockets: 40 });
    // Requests whose headers and part of their body have reached the server: truly in flight.
    const pending = Array.from({ length: 40 }, (_, i) => halfSentRequest(`${h.base}/validate`, agent, JSON.stringify(admissionReview(hostPod, { uid: `s-${String(i)}` })), 100));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = h.webhook.shutdown({ delayMs: 0, graceMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const p of pending) p.finish();
    const statuses = await Promise.all(pending.map((p) => p.answer));
    await stopping;
    agent.destroy();
    h.client.close();
    expect(statuses).toEqual(Array(40).fill(200));
    expect(h.logs().filter((l) => l["msg"] === "admission decision")).toHaveLength(40);
  });
});
