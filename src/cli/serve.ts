import { readFile } from "node:fs/promises";
import { loadKubeConfig } from "../cluster/kubeconfig.js";
import { createLogger } from "../logger.js";
import { describeFsError } from "../manifests/read-inputs.js";
import { formatPolicyErrors, parsePolicyText } from "../policy/parse-policy-text.js";
import { DEFAULT_POLICY } from "../policy/policy.js";
import { readPair } from "../webhook/certificates.js";
import { generateDevCertificate } from "../webhook/dev-certificate.js";
import { startWebhook, type WebhookConfig } from "../webhook/start-webhook.js";
import { parseCommandArgs, usageError } from "./command-args.js";
import { EXIT, type CliIo, type ExitCode } from "./io.js";

/** Usage text of `netguard serve`. */
export const SERVE_USAGE = `Usage: netguard serve (--cert-dir DIR | --dev) [options]

Runs the HTTPS validating admission webhook: POST AdmissionReviews to /validate.

  --cert-dir DIR        directory with tls.crt and tls.key (a cert-manager Secret mounted as a
                        directory); reloaded when they change
  --dev                 no cert dir: generate a self-signed certificate for localhost, and run
                        without a cluster unless --kubeconfig is given
  --port N              HTTPS port (default 8443)
  --host ADDR           address to bind (default 0.0.0.0)
  --health-port N       plain-HTTP port for /healthz, /readyz and /metrics (default 8080)
  --policy FILE         policy file, reloaded when it changes (default: built-in policy)
  --kubeconfig FILE     kubeconfig for watching NetworkPolicies (default: in-cluster or ~/.kube/config)
  --context NAME        kubeconfig context
  --wake-controllers    once a policy covers Pods netguard denied a controller, annotate the controller
                        so it retries at once (needs patch on workloads: config/wake-controllers)
  --client-ca-file FILE require client certificates signed by this CA (the API server's)
  --log-level LEVEL     trace, debug, info (default), warn, error
  --shutdown-delay S    seconds to keep serving after SIGTERM before closing (default 5; --dev: 0)
  --poll-seconds S      how often to re-read certificate and policy files besides watching (default 10)
`;

/** `netguard serve`: runs until SIGTERM or SIGINT, then shuts down gracefully. */
export async function runServe(argv: readonly string[], io: CliIo, signals: NodeJS.EventEmitter = process): Promise<ExitCode> {
  const parsed = parseCommandArgs("serve", SERVE_USAGE, {
    args: [...argv],
    options: {
      "cert-dir": { type: "string" },
      dev: { type: "boolean", default: false },
      port: { type: "string", default: "8443" },
      host: { type: "string", default: "0.0.0.0" },
      "health-port": { type: "string", default: "8080" },
      policy: { type: "string" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      "client-ca-file": { type: "string" },
      "wake-controllers": { type: "boolean", default: false },
      "log-level": { type: "string", default: "info" },
      "shutdown-delay": { type: "string" },
      "poll-seconds": { type: "string", default: "10" },
    },
  }, io);
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed.args;
  const fail = (message: string): ExitCode => usageError(io, "serve", message);

  const port = portNumber(values.port);
  const healthPort = portNumber(values["health-port"]);
  const pollSeconds = Number(values["poll-seconds"]);
  const shutdownDelay = Number(values["shutdown-delay"] ?? (values.dev ? "0" : "5"));
  if (port === undefined) return fail(`--port must be a port number, not "${values.port}"`);
  if (healthPort === undefined) return fail(`--health-port must be a port number, not "${values["health-port"]}"`);
  if (!(pollSeconds > 0)) return fail("--poll-seconds must be a positive number");
  if (!(shutdownDelay >= 0)) return fail("--shutdown-delay must be zero or more seconds");
  if (!["trace", "debug", "info", "warn", "error", "fatal", "silent"].includes(values["log-level"])) return fail(`unknown --log-level "${values["log-level"]}"`);
  const certDir = values["cert-dir"];
  if (certDir === undefined && !values.dev) return fail("give --cert-dir DIR (tls.crt and tls.key), or --dev for a generated self-signed certificate");

  let policy = DEFAULT_POLICY;
  let policyFile: WebhookConfig["policyFile"];
  if (values.policy !== undefined) {
    let text: string;
    try {
      text = await readFile(values.policy, "utf8");
    } catch (error) {
      return fail(`${values.policy}: cannot read policy: ${describeFsError(error)}`);
    }
    const parsed = parsePolicyText(text);
    if (!parsed.ok) return fail(`invalid policy:\n${formatPolicyErrors(values.policy, parsed.errors)}`);
    policy = parsed.value;
    policyFile = { path: values.policy, text };
  }
  const pair = certDir !== undefined ? await readPair(certDir) : { ok: true as const, value: await generateDevCertificate() };
  if (!pair.ok) return fail(pair.error);
  let clientCa: string | undefined;
  if (values["client-ca-file"] !== undefined) {
    try {
      clientCa = await readFile(values["client-ca-file"], "utf8");
    } catch (error) {
      return fail(`${values["client-ca-file"]}: cannot read client CA: ${describeFsError(error)}`);
    }
  }
  const wantsCluster = !values.dev || values.kubeconfig !== undefined;
  let cluster: WebhookConfig["cluster"];
  if (wantsCluster) {
    const loaded = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context });
    if (!loaded.ok) return fail(`${loaded.error} (serve watches NetworkPolicies; use --dev to run without a cluster)`);
    cluster = loaded.value;
  }
  const logger = createLogger(values["log-level"]);
  let running;
  try {
    running = await startWebhook(
      { host: values.host, port, healthPort, pair: pair.value, certDir, clientCa, policy, policyFile, cluster, wakeControllers: values["wake-controllers"], pollMs: pollSeconds * 1000 },
      { logger, now: () => Date.now() },
    );
  } catch (error) {
    return fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.dev) {
    io.stderr(`netguard webhook on https://localhost:${String(running.port)}/validate (self-signed certificate), probes on http://localhost:${String(running.healthPort ?? 0)}\n`);
  }
  const webhook = running;
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, "signal received");
      signals.off("SIGTERM", onTerm);
      signals.off("SIGINT", onInt);
      // Kubernetes waits 30 s after SIGTERM: delay plus a 20 s drain stays well inside it.
      void webhook.shutdown({ delayMs: shutdownDelay * 1000, graceMs: 20_000 }).then(resolve);
    };
    const onTerm = (): void => stop("SIGTERM");
    const onInt = (): void => stop("SIGINT");
    signals.on("SIGTERM", onTerm);
    signals.on("SIGINT", onInt);
  });
  logger.flush();
  return EXIT.clean;
}

function portNumber(text: string): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
}
