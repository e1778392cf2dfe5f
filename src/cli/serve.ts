import { readFile } from "node:fs/promises";
import { loadKubeConfig } from "../cluster/kubeconfig.js";
import { createLogger } from "../logger.js";
import { describeFsError } from "../manifests/read-inputs.js";
import { formatPolicyErrors, parsePolicyText } from "../policy/parse-policy-text.js";
import { DEFAULT_POLICY } from "../policy/policy.js";
import { firstCertificates, keepCertificatesCurrent, type CertificateRenewal } from "../certificates/keep-current.js";
import { selfManagedCertificates, type SelfManagedOptions } from "../certificates/self-managed.js";
import type { Parsed } from "../kube/object.js";
import { readPair } from "../webhook/serving/certificates.js";
import { generateDevCertificate } from "../webhook/serving/dev-certificate.js";
import { startWebhook, type WebhookConfig } from "../webhook/start-webhook.js";
import { parseCommandArgs, usageError } from "./command-args.js";
import { EXIT, type CliIo, type ExitCode } from "./io.js";

/** Usage text of `netguard serve`. */
export const SERVE_USAGE = `Usage: netguard serve (--cert-dir DIR | --dev) [options]

Runs the HTTPS validating admission webhook: POST AdmissionReviews to /validate.

  --cert-dir DIR        directory with tls.crt and tls.key (a cert-manager Secret mounted as a
                        directory); reloaded when they change
  --self-managed-certs  no cert-manager: netguard keeps a CA and serving certificate in --cert-secret,
                        writes the CA into --webhook-configuration's caBundle, renews before expiry,
                        and serves what the Secret holds from --cert-dir (an emptyDir)
  --cert-secret NAME    the Secret of --namespace that holds them (with --self-managed-certs)
  --webhook-configuration NAME
                        the ValidatingWebhookConfiguration whose caBundle netguard writes
  --service NAME        the webhook's Service: the certificate names NAME.NAMESPACE.svc[.cluster.local]
  --namespace NS        netguard's namespace (default: $POD_NAMESPACE)
  --cert-san NAMES      more DNS names or IPs for the certificate, comma-separated
  --cert-validity DUR   serving certificate lifetime (default 8760h; s, m, h)
  --cert-renew-before DUR
                        renew this long before expiry (default 720h)
  --ca-validity DUR     CA lifetime (default 87600h); a new CA joins the caBundle before it signs
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
      "self-managed-certs": { type: "boolean", default: false },
      "cert-secret": { type: "string" },
      "webhook-configuration": { type: "string" },
      service: { type: "string" },
      namespace: { type: "string" },
      "cert-san": { type: "string", default: "" },
      "cert-validity": { type: "string", default: "8760h" },
      "cert-renew-before": { type: "string", default: "720h" },
      "ca-validity": { type: "string" },
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
  const selfManaged = values["self-managed-certs"] ? selfManagedSettings(values, process.env["POD_NAMESPACE"], pollSeconds * 1000) : undefined;
  if (selfManaged !== undefined && !selfManaged.ok) return fail(selfManaged.error);
  if (selfManaged !== undefined && (certDir === undefined || values.dev)) return fail("--self-managed-certs writes the certificate into --cert-dir DIR (an emptyDir), and needs a cluster (not --dev)");

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
  let renewal: CertificateRenewal | undefined;
  if (selfManaged?.ok && cluster && certDir !== undefined) {
    const reconcile = selfManagedCertificates(cluster, { ...selfManaged.value, logger, now: () => new Date() });
    try {
      await firstCertificates(reconcile, certDir, logger);
    } catch (error) {
      return fail(`--self-managed-certs: ${error instanceof Error ? error.message : String(error)}`);
    }
    renewal = keepCertificatesCurrent({ reconcile, dir: certDir, intervalMs: pollSeconds * 1000, logger });
  }
  const pair = certDir !== undefined ? await readPair(certDir) : { ok: true as const, value: await generateDevCertificate() };
  if (!pair.ok) {
    renewal?.stop();
    return fail(pair.error);
  }
  let running;
  try {
    running = await startWebhook(
      { host: values.host, port, healthPort, pair: pair.value, certDir, clientCa, policy, policyFile, cluster, wakeControllers: values["wake-controllers"], pollMs: pollSeconds * 1000 },
      { logger, now: () => Date.now() },
    );
  } catch (error) {
    renewal?.stop();
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
      renewal?.stop();
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

/** The self-managed certificate settings from the flags, every missing one named. */
function selfManagedSettings(
  values: { readonly "cert-secret"?: string | undefined; readonly "webhook-configuration"?: string | undefined; readonly service?: string | undefined; readonly namespace?: string | undefined; readonly "cert-san": string; readonly "cert-validity": string; readonly "cert-renew-before": string; readonly "ca-validity"?: string | undefined },
  podNamespace: string | undefined,
  pollMs: number,
): Parsed<Omit<SelfManagedOptions, "logger" | "now">> {
  const namespace = values.namespace ?? podNamespace;
  const missing = [
    ...(values["cert-secret"] === undefined ? ["--cert-secret"] : []),
    ...(values["webhook-configuration"] === undefined ? ["--webhook-configuration"] : []),
    ...(values.service === undefined ? ["--service"] : []),
    ...(namespace === undefined || namespace === "" ? ["--namespace (or $POD_NAMESPACE)"] : []),
  ];
  if (missing.length > 0) return { ok: false, error: `--self-managed-certs needs ${missing.join(", ")}` };
  const validForMs = durationMs(values["cert-validity"]);
  const renewBeforeMs = durationMs(values["cert-renew-before"]);
  if (validForMs === undefined) return { ok: false, error: `--cert-validity must be a duration such as 8760h, 90m or 120s, not "${values["cert-validity"]}"` };
  if (renewBeforeMs === undefined || renewBeforeMs >= validForMs) return { ok: false, error: `--cert-renew-before must be a duration shorter than --cert-validity, not "${values["cert-renew-before"]}"` };
  // Ten years by default: the caBundle then stays the same across every serving renewal.
  const caValidForMs = values["ca-validity"] === undefined ? Math.max(10 * 365 * 24 * 3600 * 1000, 4 * validForMs) : durationMs(values["ca-validity"]);
  if (caValidForMs === undefined || caValidForMs <= validForMs + renewBeforeMs) return { ok: false, error: `--ca-validity must be a duration longer than --cert-validity plus --cert-renew-before, not "${values["ca-validity"] ?? ""}"` };
  const service = values.service ?? "";
  const ns = namespace ?? "";
  const extra = values["cert-san"].split(",").map((name) => name.trim()).filter((name) => name !== "");
  return {
    ok: true,
    value: {
      namespace: ns,
      secretName: values["cert-secret"] ?? "",
      webhookConfigurationName: values["webhook-configuration"] ?? "",
      names: [`${service}.${ns}.svc`, `${service}.${ns}.svc.cluster.local`, ...extra],
      validForMs,
      renewBeforeMs,
      caValidForMs,
      // A new CA signs only after the API server has had this long to read it in the caBundle.
      caOverlapMs: Math.max(5 * pollMs, 5000),
    },
  };
}

/** "8760h", "90m", "120s" in milliseconds (cert-manager's units); undefined for anything else. */
function durationMs(text: string): number | undefined {
  const match = /^(\d+)(h|m|s)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = { h: 3_600_000, m: 60_000, s: 1000 }[match[2] as "h" | "m" | "s"];
  return value > 0 ? value * unit : undefined;
}

function portNumber(text: string): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
}
