import { X509Certificate } from "node:crypto";
import { Agent, request } from "node:https";
import { connect } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { tempDir } from "../support/temp-dir.js";
import { startControlPlane, type ControlPlane } from "./support/control-plane.js";
import { createNamespace, kustomizeInstall, startNetguard, waitUntilEnforced, type Netguard } from "./support/netguard.js";
import { splitPem } from "../../src/certificates/rotation.js";
import { freePort, waitFor } from "./support/processes.js";
import { describeE2e, e2eAssets } from "./support/suite.js";

const NS = "netguard-system";
const SECRET = "netguard-webhook-server-cert";
const CONFIG = "netguard-validating-webhook";
const APP_NS = "e2e-self-managed";

/** The install's own flags (config/self-managed), plus 127.0.0.1 for the URL the test points the API server at, and short lifetimes to see renewals and CA rotations. */
const flags = (): string[] => [
  "--self-managed-certs",
  `--cert-secret=${SECRET}`,
  `--webhook-configuration=${CONFIG}`,
  "--service=netguard-webhook-service",
  `--namespace=${NS}`,
  "--cert-san=127.0.0.1",
  "--cert-validity=40s",
  "--cert-renew-before=28s",
  // 75 s: a CA can outlive a new serving pair (40 s + 28 s) only in its first 7 s, so CAs rotate too.
  "--ca-validity=75s",
];

/**
 * `kubectl apply -k config/self-managed`, no cert-manager anywhere: the test changes only the webhooks'
 * clientConfig to a URL (the API server cannot reach a Service here) and never writes a caBundle.
 */
describeE2e("self-managed certificates: no cert-manager", () => {
  let plane: ControlPlane | undefined;
  const replicas: Netguard[] = [];
  let port = 0;
  const need = (): ControlPlane => {
    if (!plane) throw new Error("the control plane did not start");
    return plane;
  };
  const secret = async (): Promise<Record<string, string>> => {
    const got = await need().kubectl(["get", "secret", SECRET, "-n", NS, "-o", "json"]);
    const data = (JSON.parse(got.stdout) as { data?: Record<string, string> }).data ?? {};
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
  };
  const caBundles = async (): Promise<string[]> => {
    const got = await need().kubectl(["get", "validatingwebhookconfiguration", CONFIG, "-o", "jsonpath={.webhooks[*].clientConfig.caBundle}"]);
    return got.stdout.split(" ").filter(Boolean).map((b64) => Buffer.from(b64, "base64").toString("utf8"));
  };

  beforeAll(async () => {
    const assets = e2eAssets();
    if (!assets) return;
    plane = await startControlPlane(assets);
    port = await freePort();
    const objects = parseAllDocuments(await kustomizeInstall(plane, [], "config/self-managed")).map((doc) => doc.toJS() as Record<string, unknown>);
    for (const object of objects) {
      if (object["kind"] !== "ValidatingWebhookConfiguration") continue;
      for (const webhook of object["webhooks"] as { clientConfig: Record<string, unknown> }[]) {
        const path = (webhook.clientConfig["service"] as { path: string }).path;
        webhook.clientConfig = { url: `https://127.0.0.1:${String(port)}${path}` };
      }
    }
    const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
    expect(applied.code, applied.stderr).toBe(0);
    await createNamespace(plane, APP_NS);
    await createNamespace(plane, "e2e-webhook-marker");
  }, 180_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await plane?.stop();
  }, 60_000);

  it("netguard fills its empty Secret, writes that CA into its webhook configuration, and the API server calls it", async () => {
    expect(await secret()).toEqual({});
    replicas.push(await startNetguard(need(), { install: "config/self-managed", port, selfManagedCertDir: tempDir("netguard-sm-"), args: flags() }));
    const stored = await secret();
    expect(Object.keys(stored).filter((key) => !key.startsWith("next-ca")).sort()).toEqual(["ca.crt", "ca.key", "tls.crt", "tls.key"]);
    const cas = splitPem(stored["ca.crt"] ?? "").map((pem) => new X509Certificate(pem));
    expect(cas.length).toBeGreaterThan(0);
    expect(cas.every((ca) => ca.ca)).toBe(true);
    expect(await caBundles()).toEqual([stored["ca.crt"], stored["ca.crt"]]);
    // What netguard serves chains to that CA, and names the Service and the test's 127.0.0.1.
    const served = await servedCertificate(port, stored["ca.crt"] ?? "");
    expect(served.fingerprint256).toBe(new X509Certificate(stored["tls.crt"] ?? "").fingerprint256);
    expect(served.subjectAltName).toBe(`DNS:netguard-webhook-service.${NS}.svc, DNS:netguard-webhook-service.${NS}.svc.cluster.local, IP Address:127.0.0.1`);
    await waitUntilEnforced(need());
    const denied = await need().kubectl(["run", "web", "-n", APP_NS, "--image=registry.k8s.io/pause:3.10", "--dry-run=server", "--overrides", JSON.stringify({ spec: { hostNetwork: true } })]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`Error from server (Forbidden): admission webhook "workloads.netguard.io" denied the request: Pod ${APP_NS}/web violates netguard policy: [host-network] spec.hostNetwork=true`);
  });

  it("a second replica serves what the Secret holds and writes nothing", async () => {
    const before = await secret();
    const second = await startNetguard(need(), { install: "config/self-managed", port: 0, selfManagedCertDir: tempDir("netguard-sm-"), args: flags() });
    replicas.push(second);
    // Its first reconcile (everything it logged before listening) found the Secret valid and wrote nothing.
    const startup = second.lines().slice(0, second.lines().findIndex((line) => line["msg"] === "netguard webhook listening"));
    expect(startup.filter((line) => line["msg"] === "self-managed certificates updated")).toEqual([]);
    expect(replicas[0]?.lines().filter((line) => line["msg"] === "self-managed certificates updated").length).toBeGreaterThan(0);
    expect((await servedCertificate(second.port, before["ca.crt"] ?? "")).fingerprint256).toBe(new X509Certificate(before["tls.crt"] ?? "").fingerprint256);
  });

  it("renewals and CA rotations under load: requests through the API server keep being answered, none failing", async () => {
    const plane = need();
    const agent = new Agent({ ca: plane.ca, keepAlive: true, maxSockets: 4 });
    const body = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "load", namespace: APP_NS }, spec: { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
    const outcomes = new Map<string, number>();
    const seen = new Set<string>([(await secret())["tls.crt"] ?? ""]);
    const signing = new Set<string>([(await secret())["ca.key"] ?? ""]);
    const until = Date.now() + 35_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const answer = await post(plane, agent, `/api/v1/namespaces/${APP_NS}/pods?dryRun=All`, body);
        // The only right answer: netguard's denial. A TLS failure is a 500 "failed calling webhook".
        const outcome = answer.status === 403 && answer.text.includes("violates netguard policy") ? "denied by netguard" : `${String(answer.status)} ${answer.text.slice(0, 300)}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    };
    const watcher = async (): Promise<void> => {
      while (Date.now() < until) {
        const now = await secret();
        seen.add(now["tls.crt"] ?? "");
        signing.add(now["ca.key"] ?? "");
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    await Promise.all([worker(), worker(), worker(), watcher()]);
    agent.destroy();
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    console.log(`e2e self-managed: ${String(total)} dry-run creates through the API server during ${String(seen.size - 1)} serving renewals and ${String(signing.size - 1)} CA rotations: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect([...outcomes.keys()]).toEqual(["denied by netguard"]);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(signing.size).toBeGreaterThanOrEqual(2);
    // The caBundle is what the Secret says is trusted (read together: rotations go on meanwhile).
    await waitFor("the caBundle to be the Secret's trusted CAs", async () => {
      const stored = await secret();
      const bundles = await caBundles();
      return bundles.length === 2 && bundles.every((bundle) => bundle === stored["ca.crt"]) ? true : undefined;
    }, { timeoutMs: 10_000 });
    // Every replica followed the Secret.
    for (const replica of replicas) {
      await waitFor(
        "the replica to serve the Secret's certificate",
        async () => {
          const now = await secret();
          return (await servedCertificate(replica.port, now["ca.crt"] ?? "")).fingerprint256 === new X509Certificate(now["tls.crt"] ?? "").fingerprint256 ? true : undefined;
        },
        { timeoutMs: 10_000 },
      );
    }
  });
});

/** The certificate a TLS server presents, verified against the CA (the handshake fails otherwise). */
async function servedCertificate(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "netguard-webhook-service.netguard-system.svc" }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer) resolve(peer);
      else reject(new Error("no peer certificate"));
    });
    socket.once("error", reject);
  });
}

async function post(plane: ControlPlane, agent: Agent, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(`${plane.url}${path}`, { method: "POST", agent, timeout: 10_000, headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", (error) => resolve({ status: 0, text: error.message }));
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.end(body);
  });
}
