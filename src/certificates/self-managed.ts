import { X509Certificate } from "node:crypto";
import type { Logger } from "pino";
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { apiStatusOf, describeApiError } from "../cluster/api-error.js";
import type { KeyPair } from "./issue.js";
import { rotationStep, splitPem, type CertificateState } from "./rotation.js";

/** What netguard manages when no cert-manager is installed: its own Secret and its own webhook configuration. */
export interface SelfManagedOptions {
  readonly namespace: string;
  readonly secretName: string;
  readonly webhookConfigurationName: string;
  /** The names the API server dials: <service>.<namespace>.svc and ….svc.cluster.local, plus any extra. */
  readonly names: readonly string[];
  readonly validForMs: number;
  readonly renewBeforeMs: number;
  readonly caValidForMs: number;
  readonly caOverlapMs: number;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The Secret's content as every replica serves it. */
export interface ServedCertificates {
  readonly serving: KeyPair;
  /** PEM of the CAs the webhook configuration's caBundle holds. */
  readonly caBundle: string;
}

/** The Secret keys: cert-manager's layout (tls.crt, tls.key, ca.crt: every trusted CA, the signing one first) plus the CA's key and a CA on its way in. */
const KEYS = { cert: "tls.crt", key: "tls.key", ca: "ca.crt", caKey: "ca.key", nextCa: "next-ca.crt", nextCaKey: "next-ca.key", nextSince: "next-ca-since" } as const;

/** One reconcile: the Secret holds a valid CA and serving pair (issued when missing, foreign or expiring), and every webhook's caBundle is that CA. */
export type Reconcile = () => Promise<ServedCertificates>;

/**
 * Several replicas reconcile at once: each reads the Secret, and only an update with the read
 * resourceVersion is accepted, so one replica writes a new pair and the others get 409, read again and
 * serve what it wrote. The caBundle update is the same CA from every replica, so its races are harmless.
 */
export function selfManagedCertificates(cluster: KubeConfig, options: SelfManagedOptions): Reconcile {
  const core = cluster.makeApiClient(CoreV1Api);
  const admission = cluster.makeApiClient(AdmissionregistrationV1Api);
  const { namespace, secretName: name } = options;
  const once = async (): Promise<ServedCertificates | "conflict"> => {
    let secret: V1Secret;
    try {
      secret = await core.readNamespacedSecret({ name, namespace });
    } catch (error) {
      throw new Error(`reading Secret ${namespace}/${name}: ${describeApiError(error)}${apiStatusOf(error) === 404 ? " (the self-managed install creates it empty; netguard fills it)" : ""}`);
    }
    const data = secret.data ?? {};
    const read = (key: string): string => (data[key] === undefined ? "" : Buffer.from(data[key], "base64").toString("utf8"));
    const now = options.now();
    const trusted = splitPem(read(KEYS.ca));
    const since = Date.parse(read(KEYS.nextSince));
    const stored: Partial<CertificateState> = {
      serving: { cert: read(KEYS.cert), key: read(KEYS.key) },
      signing: { cert: trusted[0] ?? "", key: read(KEYS.caKey) },
      trusted,
      ...(read(KEYS.nextCa) !== "" && Number.isFinite(since) ? { next: { ca: { cert: read(KEYS.nextCa), key: read(KEYS.nextCaKey) }, since: new Date(since) } } : {}),
    };
    const step = await rotationStep(stored, now, options);
    let state = stored as CertificateState;
    if (step !== undefined) {
      state = step.state;
      const next = state.next;
      // The Secret as read (its resourceVersion makes the update lose to a replica that wrote first), new data.
      secret.data = {
        [KEYS.cert]: b64(state.serving.cert),
        [KEYS.key]: b64(state.serving.key),
        [KEYS.ca]: b64(state.trusted.join("")),
        [KEYS.caKey]: b64(state.signing.key),
        ...(next ? { [KEYS.nextCa]: b64(next.ca.cert), [KEYS.nextCaKey]: b64(next.ca.key), [KEYS.nextSince]: b64(next.since.toISOString()) } : {}),
      };
      try {
        await core.replaceNamespacedSecret({ name, namespace, body: secret });
      } catch (error) {
        if (apiStatusOf(error) === 409) return "conflict";
        throw new Error(`writing Secret ${namespace}/${name}: ${describeApiError(error)}`);
      }
      options.logger.info({ secret: `${namespace}/${name}`, reason: step.reason, notAfter: new X509Certificate(state.serving.cert).validTo }, "self-managed certificates updated");
    }
    const bundle = state.trusted.join("");
    const injected = await injectCaBundle(admission, options.webhookConfigurationName, bundle);
    if (injected) options.logger.info({ webhookConfiguration: options.webhookConfigurationName, cas: state.trusted.length }, "wrote the trusted CAs into the webhook configuration's caBundle");
    return { serving: state.serving, caBundle: bundle };
  };
  return async () => {
    // A conflict means another replica wrote first: read again and take its pair.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await once();
      if (result !== "conflict") return result;
    }
    throw new Error(`writing Secret ${namespace}/${name}: it kept changing under netguard (5 conflicts in a row)`);
  };
}

/** Sets every webhook's clientConfig.caBundle to the CA; an update races only with the same value from another replica. */
async function injectCaBundle(api: AdmissionregistrationV1Api, name: string, caPem: string): Promise<boolean> {
  const bundle = b64(caPem);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    let config;
    try {
      config = await api.readValidatingWebhookConfiguration({ name });
    } catch (error) {
      throw new Error(`reading ValidatingWebhookConfiguration ${name}: ${describeApiError(error)}`);
    }
    const webhooks = config.webhooks ?? [];
    if (webhooks.every((webhook) => webhook.clientConfig.caBundle === bundle)) return false;
    for (const webhook of webhooks) webhook.clientConfig.caBundle = bundle;
    try {
      await api.replaceValidatingWebhookConfiguration({ name, body: config });
      return true;
    } catch (error) {
      if (apiStatusOf(error) !== 409) throw new Error(`writing ValidatingWebhookConfiguration ${name}: ${describeApiError(error)}`);
    }
  }
  throw new Error(`writing ValidatingWebhookConfiguration ${name}: it kept changing under netguard (5 conflicts in a row)`);
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
