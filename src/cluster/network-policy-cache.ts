import { NetworkingV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Inventory, PolicyLookup } from "../engine/types.js";
import { readNetworkPolicy, type NetworkPolicyFacts } from "../kube/network-policy.js";
import { asObject, asString } from "../kube/fields.js";
import { toKubeObject } from "../kube/object.js";
import { describeApiError } from "./api-error.js";
import { startListWatch } from "./list-watch.js";
import { wireNetworkPolicy } from "./wire-network-policy.js";

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
  /** A watched NetworkPolicy of this namespace was added or changed (after the cache took it in). */
  readonly onPolicyEvent?: (namespace: string) => void;
}

const PATH = "/apis/networking.k8s.io/v1/networkpolicies";

type FactsIndex = Map<string, Map<string, NetworkPolicyFacts>>;

/**
 * Lists (in pages of 500) then watches networking.k8s.io/v1 NetworkPolicies in all namespaces with
 * client-node's Watch, keeping only the facts coverage needs: no second cache of whole objects.
 * A watch that ends resumes from the last resourceVersion; 410 Gone relists; errors retry.
 */
export function startNetworkPolicyCache(config: KubeConfig, options: CacheOptions): NetworkPolicyCache {
  const api = config.makeApiClient(NetworkingV1Api);
  let byNamespace: FactsIndex = new Map();
  // Lookups happen on every review; changes are rare: answer from a per-namespace array built once.
  let answers = new Map<string, PolicyLookup>();
  let answersFor: FactsIndex | undefined;

  const upsert = (index: FactsIndex, policy: unknown): void => {
    const facts = factsOf(policy);
    if (facts === undefined) return;
    let names = index.get(facts.namespace);
    if (names === undefined) index.set(facts.namespace, (names = new Map<string, NetworkPolicyFacts>()));
    names.set(facts.name, facts);
    if (index === byNamespace) answers.delete(facts.namespace);
  };
  const remove = (policy: unknown): void => {
    const object = networkPolicyObject(policy);
    if (!object.ok) return;
    const namespace = object.value.ref.namespace ?? "";
    const names = byNamespace.get(namespace);
    names?.delete(object.value.ref.name);
    if (names?.size === 0) byNamespace.delete(namespace);
    answers.delete(namespace);
  };
  const loop = startListWatch(config, {
    what: "NetworkPolicy",
    path: PATH,
    list: (cont) => api.listNetworkPolicyForAllNamespaces({ limit: 500, ...(cont ? { _continue: cont } : {}) }),
    replace: (items) => {
      const fresh: FactsIndex = new Map();
      for (const item of items) upsert(fresh, item);
      // Swap in one step: lookups during a relist keep answering from the previous list.
      byNamespace = fresh;
    },
    event: (type, object) => {
      if (type === "DELETED") {
        remove(object);
        return;
      }
      upsert(byNamespace, object);
      const namespace = asString(asObject(asObject(object)?.["metadata"])?.["namespace"]);
      if (namespace !== undefined) options.onPolicyEvent?.(namespace);
    },
    logger: options.logger,
    retryMs: options.retryMs,
    onSynced: () => options.logger.info({ policies: cache.size() }, "NetworkPolicy cache synced"),
    onChange: () => options.onChange?.(cache),
  });

  const empty: PolicyLookup = { verified: true, policies: [] };
  const cache: NetworkPolicyCache = {
    networkPolicies: (namespace) => {
      if (!loop.isSynced()) return { verified: false, reason: "the NetworkPolicy cache has not synced with the API server yet" };
      if (answersFor !== byNamespace) {
        answers = new Map();
        answersFor = byNamespace;
      }
      let answer = answers.get(namespace);
      if (answer === undefined) {
        const names = byNamespace.get(namespace);
        answer = names ? { verified: true, policies: [...names.values()] } : empty;
        answers.set(namespace, answer);
      }
      return answer;
    },
    isSynced: loop.isSynced,
    size: () => {
      let total = 0;
      for (const names of byNamespace.values()) total += names.size;
      return total;
    },
    synced: loop.synced,
    stop: loop.stop,
  };
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

/** List items carry no apiVersion/kind: restore them so the policy reads like any other. */
function networkPolicyObject(policy: unknown): ReturnType<typeof toKubeObject> {
  return toKubeObject({ ...asObject(wireNetworkPolicy(policy)), apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }, { namespace: undefined });
}

/** The coverage facts of a listed or watched NetworkPolicy (undefined for one without a namespace). */
export function factsOf(policy: unknown): NetworkPolicyFacts | undefined {
  const object = networkPolicyObject(policy);
  if (!object.ok || object.value.ref.namespace === undefined) return undefined;
  return readNetworkPolicy(object.value, object.value.ref.namespace);
}
