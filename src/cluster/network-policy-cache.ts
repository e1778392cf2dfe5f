import { makeInformer, NetworkingV1Api, type KubeConfig, type V1NetworkPolicy } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Inventory, PolicyLookup } from "../engine/types.js";
import { readNetworkPolicy, type NetworkPolicyFacts } from "../kube/network-policy.js";
import { toKubeObject } from "../kube/object.js";

/** The webhook's view of the cluster's NetworkPolicies: an informer cache indexed by namespace. */
export interface NetworkPolicyCache extends Inventory {
  /** True once the first list has completed; stays true through later watch outages. */
  readonly isSynced: () => boolean;
  readonly size: () => number;
  /** Resolves when first synced (or never, if the API server never answers). */
  readonly synced: Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Options for the cache: retry delay after a failed list or a broken watch. */
export interface CacheOptions {
  readonly logger: Logger;
  readonly retryMs: number;
  readonly onChange?: (cache: NetworkPolicyCache) => void;
}

const PATH = "/apis/networking.k8s.io/v1/networkpolicies";

/** Lists then watches networking.k8s.io/v1 NetworkPolicies in all namespaces, restarting after errors. */
export function startNetworkPolicyCache(config: KubeConfig, options: CacheOptions): NetworkPolicyCache {
  const api = config.makeApiClient(NetworkingV1Api);
  const informer = makeInformer<V1NetworkPolicy>(config, PATH, () => api.listNetworkPolicyForAllNamespaces());
  const byNamespace = new Map<string, Map<string, NetworkPolicyFacts>>();
  let synced = false;
  let stopped = false;
  let attemptFailed = false;
  let retry: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => undefined;
  const syncedPromise = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const upsert = (policy: V1NetworkPolicy): void => {
    const facts = factsOf(policy);
    if (facts === undefined) return;
    let names = byNamespace.get(facts.namespace);
    if (names === undefined) byNamespace.set(facts.namespace, (names = new Map<string, NetworkPolicyFacts>()));
    names.set(facts.name, facts);
    options.onChange?.(cache);
  };
  const remove = (policy: V1NetworkPolicy): void => {
    const namespace = policy.metadata?.namespace ?? "";
    const names = byNamespace.get(namespace);
    names?.delete(policy.metadata?.name ?? "");
    if (names?.size === 0) byNamespace.delete(namespace);
    options.onChange?.(cache);
  };
  informer.on("add", upsert);
  informer.on("update", upsert);
  informer.on("delete", remove);
  informer.on("error", (error: unknown) => {
    attemptFailed = true;
    if (stopped) return;
    options.logger.warn({ err: error, retryMs: options.retryMs, synced }, "NetworkPolicy list/watch failed; restarting");
    clearTimeout(retry);
    retry = setTimeout(() => void begin(), options.retryMs);
  });

  const begin = async (): Promise<void> => {
    if (stopped) return;
    attemptFailed = false;
    try {
      await informer.start();
    } catch (error) {
      attemptFailed = true;
      options.logger.warn({ err: error }, "NetworkPolicy informer failed to start");
      retry = setTimeout(() => void begin(), options.retryMs);
      return;
    }
    // start() resolves once the list is in and the watch is open, or after reporting an error.
    if (!attemptFailed && !synced) {
      synced = true;
      options.logger.info({ policies: cache.size() }, "NetworkPolicy cache synced");
      markSynced();
      options.onChange?.(cache);
    }
  };

  const empty: PolicyLookup = { verified: true, policies: [] };
  const cache: NetworkPolicyCache = {
    networkPolicies: (namespace) => {
      if (!synced) return { verified: false, reason: "the NetworkPolicy cache has not synced with the API server yet" };
      const names = byNamespace.get(namespace);
      return names ? { verified: true, policies: [...names.values()] } : empty;
    },
    isSynced: () => synced,
    size: () => {
      let total = 0;
      for (const names of byNamespace.values()) total += names.size;
      return total;
    },
    synced: syncedPromise,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    },
  };
  void begin();
  return cache;
}

/** Reads one namespace's NetworkPolicies straight from the API server, bounded in time. */
export function createLiveLookup(config: KubeConfig, timeoutMs: number): (namespace: string) => Promise<PolicyLookup> {
  const api = config.makeApiClient(NetworkingV1Api);
  return async (namespace) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PolicyLookup>((resolve) => {
      timer = setTimeout(() => resolve({ verified: false, reason: `the API server did not answer within ${String(timeoutMs)} ms` }), timeoutMs);
    });
    const read = api.listNamespacedNetworkPolicy({ namespace }).then(
      (list): PolicyLookup => ({ verified: true, policies: list.items.flatMap((item) => factsOf(item) ?? []) }),
      (error: unknown): PolicyLookup => ({ verified: false, reason: `listing NetworkPolicies failed: ${describeApiError(error)}` }),
    );
    try {
      return await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** List items carry no apiVersion/kind: restore them, then read the policy like any other. */
export function factsOf(policy: V1NetworkPolicy): NetworkPolicyFacts | undefined {
  const object = toKubeObject({ ...policy, apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }, { namespace: undefined });
  if (!object.ok || object.value.ref.namespace === undefined) return undefined;
  return readNetworkPolicy(object.value, object.value.ref.namespace);
}

/** A short text for a client-node error: HTTP code and message, no stack. */
export function describeApiError(error: unknown): string {
  if (error instanceof Error) {
    const code = "code" in error ? ` (HTTP ${String(error.code)})` : "";
    return `${error.message.split("\n")[0] ?? error.message}${code}`;
  }
  return String(error);
}
