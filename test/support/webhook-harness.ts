import { DEFAULT_POLICY } from "../../src/policy/policy.js";
import { readPair } from "../../src/webhook/serving/certificates.js";
import { createMetrics } from "../../src/webhook/telemetry/metrics.js";
import { startWebhook, type RunningWebhook, type WebhookConfig } from "../../src/webhook/start-webhook.js";
import { httpsClient } from "./https-client.js";
import { memoryLogger } from "./memory-logger.js";
import { issue, makeCa, secretDir, type Pem, type SecretDir } from "./pki.js";

/** A webhook on 127.0.0.1:0 with a CA-signed certificate in a kubelet-style directory, and a verifying client. */
export async function startTestWebhook(overrides: Partial<WebhookConfig> = {}) {
  const ca = await makeCa();
  const serving = await issue(ca);
  const secret: SecretDir = secretDir(serving);
  const pair = await readPair(secret.dir);
  if (!pair.ok) throw new Error(pair.error);
  const log = memoryLogger();
  const webhook: RunningWebhook = await startWebhook(
    {
      host: "127.0.0.1",
      port: 0,
      healthPort: 0,
      pair: pair.value,
      certDir: secret.dir,
      clientCa: undefined,
      policy: DEFAULT_POLICY,
      policyFile: undefined,
      cluster: undefined,
      pollMs: 200,
      ...overrides,
    },
    { logger: log.logger, now: () => Date.parse("2026-11-24T12:00:00Z"), metrics: createMetrics({ processMetrics: false }) },
  );
  const client = httpsClient(ca.cert);
  const base = `https://127.0.0.1:${String(webhook.port)}`;
  return {
    ca,
    serving,
    secret,
    webhook,
    client,
    base,
    logs: log.lines,
    health: `http://127.0.0.1:${String(webhook.healthPort ?? 0)}`,
    post: (body: unknown, path = "/validate?timeout=10s") => client.send(`${base}${path}`, typeof body === "string" ? body : JSON.stringify(body)),
    issueLeaf: (): Promise<Pem> => issue(ca),
    stop: async () => {
      client.close();
      await webhook.shutdown({ delayMs: 0, graceMs: 2000 });
    },
  };
}
