import type { Logger } from "pino";
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from "@kubernetes/client-node";
import { startNamespaceCache, type NamespaceCache } from "../cluster/namespace-cache.js";
import { startCoverageCaches, type CoverageCaches } from "../cluster/coverage-cache.js";
import { createLiveLookup, startNetworkPolicyCache, type NetworkPolicyCache } from "../cluster/network-policy-cache.js";
import { createOwnerReader } from "../cluster/owner-reader.js";
import { createPodMetadataLister } from "../cluster/pod-metadata-lister.js";
import { createOwnerRetry, podController, type DeniedOwner, type OwnerRetry } from "../cluster/owner-retry.js";
import type { Inventory } from "../engine/types.js";
import type { Policy } from "../policy/policy.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { startCertificateReloader, type CertificateReloader } from "./serving/certificate-reloader.js";
import type { CertificatePair } from "./serving/certificates.js";
import { createMetrics, type WebhookMetrics } from "./telemetry/metrics.js";
import { startPolicyReloader, type PolicyReloader } from "./serving/policy-reloader.js";
import { createWebhookFallbackApp } from "./serving/fallback-app.js";
import { createProbeApp } from "./serving/probe-app.js";
import { listen, type ListeningServers } from "./serving/server.js";
import { createBodyTracker } from "./serving/body-reader.js";
import { createValidateHandler, DEFAULT_BODY_LIMIT } from "./admission/validate-handler.js";

/** Everything `netguard serve` decided from its flags, in typed form. */
export interface WebhookConfig {
  readonly host: string;
  readonly port: number;
  readonly healthPort: number | undefined;
  readonly pair: CertificatePair;
  /** Follow this directory for renewed pairs; undefined for a generated development certificate. */
  readonly certDir: string | undefined;
  readonly clientCa: string | undefined;
  readonly policy: Policy;
  /** Follow this file for policy changes. */
  readonly policyFile: { readonly path: string; readonly text: string } | undefined;
  readonly cluster: KubeConfig | undefined;
  /** Wake a controller whose Pods were denied for coverage once a policy covers them (opt-in: patches workloads). */
  readonly wakeControllers?: boolean;
  readonly pollMs: number;
  readonly bodyLimit?: number;
  /** How long a body may take to arrive, and how many bytes all unfinished bodies may hold together. */
  readonly bodyTimeoutMs?: number;
  readonly bodyBudgetBytes?: number;
  readonly liveReadTimeoutMs?: number;
  readonly cacheRetryMs?: number;
}

/** Dependencies from the outside world. */
export interface WebhookDeps {
  readonly logger: Logger;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly metrics?: WebhookMetrics;
}

/** A running webhook. */
export interface RunningWebhook {
  readonly port: number;
  readonly healthPort: number | undefined;
  readonly metrics: WebhookMetrics;
  readonly cache: NetworkPolicyCache | undefined;
  readonly policy: () => Policy;
  readonly reloadCertificate: () => Promise<boolean>;
  readonly reloadPolicy: () => Promise<void>;
  /** Readiness off, in-flight requests answered, servers and watches closed. */
  readonly shutdown: (options: { readonly delayMs: number; readonly graceMs: number }) => Promise<void>;
}

/** Without a cluster there is nothing to verify coverage against: say so rather than pass. */
const NO_CLUSTER: Inventory = {
  networkPolicies: () => ({ verified: false, reason: "no cluster is configured (serve runs without a kubeconfig), so no NetworkPolicies are known" }),
};

/** Starts the webhook: HTTPS /validate, probes and metrics, certificate and policy reloads, the NetworkPolicy cache. */
export async function startWebhook(config: WebhookConfig, deps: WebhookDeps): Promise<RunningWebhook> {
  const { logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  let policy = config.policy;
  let shuttingDown = false;
  let retry: OwnerRetry | undefined;
  const cache = config.cluster
    ? startNetworkPolicyCache(config.cluster, {
        logger,
        retryMs: config.cacheRetryMs ?? 2000,
        onChange: (c) => {
          metrics.cacheSynced.set(c.isSynced() ? 1 : 0);
          metrics.cacheObjects.set(c.size());
        },
        onPolicyEvent: (namespace) => retry?.policiesChanged(namespace),
      })
    : undefined;
  if (config.cluster && cache && config.wakeControllers === true) {
    retry = createOwnerRetry({
      lookup: (namespace) => cache.networkPolicies(namespace),
      touch: ownerToucher(config.cluster),
      logger,
      now: deps.now,
      onResult: (result) => metrics.ownerRetries.inc({ result }),
    });
  }
  const ownerRetry = retry;
  // Namespace labels are read only once a policy has an override that selects namespaces by them. Not a
  // readiness gate: a Namespace list refused after a policy reload must not take admission down.
  let namespaces: NamespaceCache | undefined;
  const watchNamespacesIfNeeded = (next: Policy): void => {
    if (namespaces === undefined && config.cluster && next.overrides.some((o) => o.namespaceSelector !== undefined)) {
      namespaces = startNamespaceCache(config.cluster, { logger, retryMs: config.cacheRetryMs ?? 2000 });
    }
  };
  watchNamespacesIfNeeded(policy);
  // The other coverage sources the policy enables, each found by discovery and cached; a reload that
  // changes the sources starts the new caches before the old ones stop.
  let coverage: CoverageCaches | undefined;
  const showCoverage = (caches: CoverageCaches): void => {
    for (const state of caches.states) metrics.coverageSources.set({ source: state.source }, state.served ? (state.synced() ? 1 : 0) : -1);
    metrics.coverageObjects.set(caches.size());
  };
  const startCoverage = async (next: Policy): Promise<void> => {
    const wanted = next.rules["ingress-policy"].sources.filter((source) => source !== "networking.k8s.io/NetworkPolicy");
    const current = coverage?.states.map((state) => state.source) ?? [];
    if (!config.cluster || (wanted.length === current.length && wanted.every((source) => current.includes(source)))) return;
    const previous = coverage;
    coverage = wanted.length === 0 ? undefined : await startCoverageCaches(config.cluster, { sources: wanted, logger, retryMs: config.cacheRetryMs ?? 2000, onChange: showCoverage });
    metrics.coverageSources.reset();
    if (coverage) showCoverage(coverage);
    await previous?.stop();
  };
  // Namespaces are read for the label selectors several coverage kinds use.
  if (policy.rules["ingress-policy"].sources.some((source) => source !== "networking.k8s.io/NetworkPolicy") && config.cluster) {
    namespaces ??= startNamespaceCache(config.cluster, { logger, retryMs: config.cacheRetryMs ?? 2000 });
  }
  await startCoverage(policy);
  const inventory: Inventory = cache
    ? {
        networkPolicies: (namespace) => cache.networkPolicies(namespace),
        namespaceLabels: (namespace) => namespaces?.namespaceLabels(namespace) ?? { known: false, reason: "namespace labels are not watched" },
        coveragePolicies: (namespace) => coverage?.coveragePolicies(namespace) ?? { policies: [], incomplete: undefined },
      }
    : NO_CLUSTER;
  metrics.cacheSynced.set(0);
  metrics.certificateExpiry.set(config.pair.notAfter.getTime() / 1000);
  const bodyLimit = config.bodyLimit ?? DEFAULT_BODY_LIMIT;
  // The API server sends a review in one go; 10 s is far beyond any webhook timeout (at most 30 s, 3 s here).
  const bodies = createBodyTracker({ maxBytes: bodyLimit, timeoutMs: config.bodyTimeoutMs ?? 10_000, budgetBytes: config.bodyBudgetBytes ?? Math.max(64 * 1024 * 1024, 4 * bodyLimit) });
  const validate = createValidateHandler({
    rules: BUILTIN_RULES,
    policy: () => policy,
    inventory,
    liveLookup: config.cluster ? createLiveLookup(config.cluster, config.liveReadTimeoutMs ?? 1000) : undefined,
    liveCoverage: () => {
      const current = coverage;
      return current ? (namespace) => current.liveRead(namespace, config.liveReadTimeoutMs ?? 1000) : undefined;
    },
    ...(config.cluster
      ? {
          ownerReader: createOwnerReader(config.cluster, config.liveReadTimeoutMs ?? 1000),
          // Both reads of a guarded delete together stay inside the webhook's 3 s timeout.
          podLister: createPodMetadataLister(config.cluster, { timeoutMs: config.liveReadTimeoutMs ?? 1000, maxPods: 50_000 }),
          tiers: (name: string) => coverage?.tiers(name),
        }
      : {}),
    logger,
    metrics,
    now: deps.now,
    bodies,
    controllerWakeUp: ownerRetry !== undefined,
    ...(ownerRetry
      ? {
          onCoverageDenial: (request) => {
            const owner = request.object ? podController(request.object.body, request.namespace) : undefined;
            if (owner) ownerRetry.remember(owner);
          },
        }
      : {}),
  });
  const probes = createProbeApp(
    {
      isReady: () => {
        if (shuttingDown) return { ready: false, reason: "shutting down" };
        if (cache && !cache.isSynced()) return { ready: false, reason: "the NetworkPolicy cache has not synced" };
        if (coverage && !coverage.isSynced()) return { ready: false, reason: "a coverage source's cache has not synced" };
        return { ready: true };
      },
    },
    metrics,
  );
  const servers: ListeningServers = await listen(
    { host: config.host, port: config.port, healthPort: config.healthPort, pair: config.pair, clientCa: config.clientCa },
    validate,
    createWebhookFallbackApp(),
    probes,
  );
  const certificates: CertificateReloader | undefined = config.certDir
    ? startCertificateReloader(config.pair, {
        dir: config.certDir,
        apply: servers.setPair,
        logger,
        pollMs: config.pollMs,
        onResult: (result, pair) => {
          metrics.certificateReloads.inc({ result });
          if (pair) metrics.certificateExpiry.set(pair.notAfter.getTime() / 1000);
        },
      })
    : undefined;
  const policies: PolicyReloader | undefined = config.policyFile
    ? startPolicyReloader({
        file: config.policyFile.path,
        initialText: config.policyFile.text,
        apply: (next) => {
          watchNamespacesIfNeeded(next);
          policy = next;
          startCoverage(next).catch((error: unknown) => logger.error({ err: error }, "starting the coverage sources' caches failed"));
        },
        logger,
        pollMs: config.pollMs,
        onResult: (result) => metrics.policyReloads.inc({ result }),
      })
    : undefined;
  logger.info({ port: servers.port, healthPort: servers.healthPort, cluster: cache !== undefined, certDir: config.certDir ?? "(generated)" }, "netguard webhook listening");
  return {
    port: servers.port,
    healthPort: servers.healthPort,
    metrics,
    cache,
    policy: () => policy,
    reloadCertificate: () => certificates?.reload() ?? Promise.resolve(false),
    reloadPolicy: () => policies?.reload() ?? Promise.resolve(),
    shutdown: async ({ delayMs, graceMs }) => {
      shuttingDown = true;
      logger.info({ delayMs }, "shutting down: readiness off");
      // Keep serving while endpoints drop this pod: the API server may still route a request or two here.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      certificates?.close();
      policies?.close();
      bodies.close();
      await servers.close(graceMs);
      await cache?.stop();
      await coverage?.stop();
      await namespaces?.stop();
      logger.info("shut down");
    },
  };
}

/** A metadata-only merge patch of one annotation; the uid makes it a precondition (never a same-named newer object). */
function ownerToucher(cluster: KubeConfig): (owner: DeniedOwner, annotation: Readonly<Record<string, string>>) => Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(cluster);
  return async (owner, annotations) => {
    const patch = { apiVersion: owner.apiVersion, kind: owner.kind, metadata: { name: owner.name, namespace: owner.namespace, uid: owner.uid, annotations } };
    await api.patch(patch, undefined, undefined, "netguard", undefined, PatchStrategy.MergePatch);
  };
}
