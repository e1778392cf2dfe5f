import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { coverageIndex } from "../engine/inventory.js";
import type { CoverageLookup } from "../engine/types.js";
import { readTier, type TierAction, type TierLookup } from "../kube/coverage/calico.js";
import { isCalicoTier, readCoveragePolicy, tiersAmong } from "../kube/coverage/read-coverage-policy.js";
import type { CoveragePolicy, CoverageSource } from "../kube/coverage/source.js";
import { asObject, asString } from "../kube/fields.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";
import { apiStatusOf, describeApiError } from "./api-error.js";
import { startListWatch, type ListPage, type ListWatch } from "./list-watch.js";

/** Where a source's objects are served, first choice first. */
interface Resource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}

/**
 * Calico is read from its backing CRDs when they exist (no tier RBAC filtering, no aggregated API that
 * can be down; types are already defaulted when written through Calico's API server), else from the
 * native projectcalico.org/v3 CRDs.
 */
const RESOURCES: Readonly<Record<Exclude<CoverageSource, "networking.k8s.io/NetworkPolicy">, readonly Resource[]>> = {
  "cilium.io/CiliumNetworkPolicy": [{ group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy" }],
  "cilium.io/CiliumClusterwideNetworkPolicy": [{ group: "cilium.io", version: "v2", plural: "ciliumclusterwidenetworkpolicies", kind: "CiliumClusterwideNetworkPolicy" }],
  "projectcalico.org/NetworkPolicy": [
    { group: "crd.projectcalico.org", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy" },
    { group: "projectcalico.org", version: "v3", plural: "networkpolicies", kind: "NetworkPolicy" },
  ],
  "projectcalico.org/GlobalNetworkPolicy": [
    { group: "crd.projectcalico.org", version: "v1", plural: "globalnetworkpolicies", kind: "GlobalNetworkPolicy" },
    { group: "projectcalico.org", version: "v3", plural: "globalnetworkpolicies", kind: "GlobalNetworkPolicy" },
  ],
  "policy.networking.k8s.io/ClusterNetworkPolicy": [{ group: "policy.networking.k8s.io", version: "v1alpha2", plural: "clusternetworkpolicies", kind: "ClusterNetworkPolicy" }],
  "policy.networking.k8s.io/AdminNetworkPolicy": [{ group: "policy.networking.k8s.io", version: "v1alpha1", plural: "adminnetworkpolicies", kind: "AdminNetworkPolicy" }],
  "policy.networking.k8s.io/BaselineAdminNetworkPolicy": [{ group: "policy.networking.k8s.io", version: "v1alpha1", plural: "baselineadminnetworkpolicies", kind: "BaselineAdminNetworkPolicy" }],
};

const TIERS: readonly Resource[] = [
  { group: "crd.projectcalico.org", version: "v1", plural: "tiers", kind: "Tier" },
  { group: "projectcalico.org", version: "v3", plural: "tiers", kind: "Tier" },
];

/** The RBAC resources (group and plural) a source is read through, for docs/policy.md and the install's tests. */
export function resourcesOf(source: CoverageSource): readonly { readonly group: string; readonly plural: string }[] {
  if (source === "networking.k8s.io/NetworkPolicy") return [{ group: "networking.k8s.io", plural: "networkpolicies" }];
  const calico = source.startsWith("projectcalico.org/") ? TIERS : [];
  return [...RESOURCES[source], ...calico].map(({ group, plural }) => ({ group, plural }));
}

/** How one enabled source fared: read (and synced or not), or not served by this cluster. */
export type SourceState =
  | { readonly source: CoverageSource; readonly served: true; readonly resource: string; readonly from: Resource; readonly synced: () => boolean }
  | { readonly source: CoverageSource; readonly served: false; readonly reason: string };

/** The caches of the enabled sources other than NetworkPolicy. */
export interface CoverageCaches {
  readonly coveragePolicies: (namespace: string) => CoverageLookup;
  readonly states: readonly SourceState[];
  /** Every served source has completed its first list. */
  readonly isSynced: () => boolean;
  readonly size: () => number;
  /** The Calico Tiers watched (none unless Calico is served): a policy under review is read with them. */
  readonly tiers: TierLookup;
  /**
   * Reads straight from the API server what may cover a namespace's pods (its namespaced policies, every
   * cluster-wide one), bounded in time; before a coverage denial, as the NetworkPolicy live read.
   */
  readonly liveRead: (namespace: string, timeoutMs: number) => Promise<CoverageLookup>;
  readonly stop: () => Promise<void>;
}

/** Options: what to read, where to log, how long to wait before retrying, and a hook after each change. */
export interface CoverageCacheOptions {
  readonly sources: readonly CoverageSource[];
  readonly logger: Logger;
  readonly retryMs: number;
  readonly onChange?: (caches: CoverageCaches) => void;
}

/** List items carry no apiVersion/kind: restore them so the object reads like any other. */
function asObjectOf(resource: Resource, item: unknown): ReturnType<typeof toKubeObject> {
  return toKubeObject({ ...asObject(item), apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind }, { namespace: undefined });
}

/**
 * A custom-object list as the list loop reads pages. It is plain JSON, not a typed model: the continue
 * token is metadata.continue (the typed lists call it _continue), and reading the wrong one stops after
 * the first page of 500.
 */
function customPage(raw: unknown): ListPage {
  const list = asObject(raw);
  const metadata = asObject(list?.["metadata"]);
  const items = list?.["items"];
  return {
    items: Array.isArray(items) ? items : [],
    metadata: { resourceVersion: asString(metadata?.["resourceVersion"]), _continue: asString(metadata?.["continue"]) },
  };
}

/** The first of a source's resources the API server serves (a 404 means not served); other errors are reported. */
async function discover(api: CustomObjectsApi, candidates: readonly Resource[]): Promise<{ ok: true; resource: Resource } | { ok: false; reason: string }> {
  const reasons: string[] = [];
  for (const resource of candidates) {
    try {
      await api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, limit: 1 });
      return { ok: true, resource };
    } catch (error) {
      // Not found: this group/version/resource is not served. Anything else (403, 503): served but unreadable now.
      if (apiStatusOf(error) !== 404) return { ok: true, resource };
      reasons.push(`${resource.plural}.${resource.group}/${resource.version}: ${describeApiError(error)}`);
    }
  }
  return { ok: false, reason: `not served by this cluster (${reasons.join("; ")})` };
}

/**
 * Finds each enabled source by discovery and lists then watches it (the NetworkPolicy cache's loop),
 * keeping each object only as the coverage policy read from it. An enabled source the cluster does not
 * serve is logged and contributes nothing; the caller's readiness waits for the served ones.
 */
export async function startCoverageCaches(config: KubeConfig, options: CoverageCacheOptions): Promise<CoverageCaches> {
  const api = config.makeApiClient(CustomObjectsApi);
  const policies = new Map<string, CoveragePolicy>();
  const tiers = new Map<string, TierAction>();
  const tierNames = new Map<string, string>();
  const loops: ListWatch[] = [];
  const states: SourceState[] = [];
  // Answers are rebuilt after a change, not on every review.
  let index: ((namespace: string) => CoverageLookup) | undefined;
  const changed = (): void => {
    index = undefined;
    options.onChange?.(caches);
  };
  const watch = (resource: Resource, keep: (key: string, object: unknown) => void, drop: (key: string) => void, what: string): ListWatch => {
    const keyOf = (object: unknown): string => {
      const metadata = asObject(asObject(object)?.["metadata"]);
      return `${resource.group}/${resource.plural}/${asString(metadata?.["namespace"]) ?? ""}/${asString(metadata?.["name"]) ?? ""}`;
    };
    // The keys this loop holds, so a relist drops exactly what it no longer lists.
    const owned = new Set<string>();
    const add = (object: unknown): void => {
      const key = keyOf(object);
      owned.add(key);
      keep(key, object);
    };
    const remove = (key: string): void => {
      owned.delete(key);
      drop(key);
    };
    return startListWatch(config, {
      what,
      path: `/apis/${resource.group}/${resource.version}/${resource.plural}`,
      list: async (cont) => customPage(await api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, limit: 500, ...(cont ? { _continue: cont } : {}) })),
      replace: (items) => {
        for (const key of [...owned]) remove(key);
        for (const item of items) add(item);
      },
      event: (type, object) => (type === "DELETED" ? remove(keyOf(object)) : add(object)),
      logger: options.logger,
      retryMs: options.retryMs,
      onChange: changed,
      onSynced: () => options.logger.info({ source: what, resource: `${resource.plural}.${resource.group}/${resource.version}` }, "coverage source synced"),
    });
  };
  const tierLookup = (name: string): TierAction | undefined => tiers.get(name);
  let tiersWatched = false;
  for (const source of options.sources) {
    if (source === "networking.k8s.io/NetworkPolicy") continue;
    const found = await discover(api, RESOURCES[source]);
    if (!found.ok) {
      options.logger.warn({ source, reason: found.reason }, "an enabled coverage source is not served by this cluster: it covers nothing");
      states.push({ source, served: false, reason: found.reason });
      continue;
    }
    const { resource } = found;
    const loop = watch(
      resource,
      (key, item) => {
        const object = asObjectOf(resource, item);
        const policy = object.ok ? readCoveragePolicy(object.value, object.value.ref.namespace ?? "default", tierLookup) : undefined;
        if (policy) {
          policies.set(key, policy);
          return;
        }
        // Said, and no stale version kept: an object the API server served but netguard cannot read covers nothing.
        policies.delete(key);
        options.logger.warn({ source, key, reason: object.ok ? "not a coverage policy" : object.error }, "a listed coverage policy could not be read; it covers nothing");
      },
      (key) => policies.delete(key),
      source,
    );
    loops.push(loop);
    states.push({ source, served: true, resource: `${resource.plural}.${resource.group}/${resource.version}`, from: resource, synced: loop.isSynced });
    if (resource.group.includes("projectcalico.org") && !tiersWatched) {
      tiersWatched = true;
      // Tiers of the group the policies come from; without them only the built-in tiers are known.
      const tierFound = await discover(api, TIERS.filter((candidate) => candidate.group === resource.group));
      if (!tierFound.ok) {
        options.logger.warn({ reason: tierFound.reason }, "Calico Tiers are not served: policies in custom tiers count as in a Deny tier");
        continue;
      }
      const tierResource = tierFound.resource;
      loops.push(
        watch(
          tierResource,
          (key, item) => {
            const object = asObjectOf(tierResource, item);
            if (!object.ok) return;
            const tier = readTier(object.value);
            tierNames.set(key, tier.name);
            tiers.set(tier.name, tier.action);
          },
          (key) => {
            const name = tierNames.get(key);
            tierNames.delete(key);
            if (name !== undefined) tiers.delete(name);
          },
          "Calico Tier",
        ),
      );
    }
  }
  const caches: CoverageCaches = {
    coveragePolicies: (namespace) => {
      const unsynced = states.filter((state) => state.served && !state.synced()).map((state) => state.source);
      if (unsynced.length > 0) return { policies: [], incomplete: `the cache of ${unsynced.join(", ")} has not synced with the API server yet` };
      index ??= coverageIndex([...policies.values()]);
      return index(namespace);
    },
    states,
    isSynced: () => loops.every((loop) => loop.isSynced()),
    size: () => policies.size,
    tiers: tierLookup,
    liveRead: async (namespace, timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CoverageLookup>((resolve) => {
        timer = setTimeout(() => resolve({ policies: [], incomplete: `the API server did not answer within ${String(timeoutMs)} ms` }), timeoutMs);
      });
      const reads = states.flatMap((state) => (state.served ? [state] : [])).map(async ({ source, from }) => {
        const clusterWide = source === "cilium.io/CiliumClusterwideNetworkPolicy" || source === "projectcalico.org/GlobalNetworkPolicy" || source.startsWith("policy.networking.k8s.io/");
        const request = { group: from.group, version: from.version, plural: from.plural };
        const list = customPage(clusterWide ? await api.listClusterCustomObject(request) : await api.listNamespacedCustomObject({ ...request, namespace }));
        return list.items.flatMap((item) => {
          const object = asObjectOf(from, item);
          return object.ok ? (readCoveragePolicy(object.value, object.value.ref.namespace ?? namespace, tierLookup) ?? []) : [];
        });
      });
      const read = Promise.all(reads).then(
        (lists): CoverageLookup => ({ policies: lists.flat(), incomplete: undefined }),
        (error: unknown): CoverageLookup => ({ policies: [], incomplete: `listing the coverage sources failed: ${describeApiError(error)}` }),
      );
      try {
        return await Promise.race([read, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: async () => {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
  return caches;
}

/** One list of the enabled sources (for check --cluster): the policies, why some could not be read, and what is not served. */
export interface CoverageListing {
  readonly policies: readonly CoveragePolicy[];
  readonly incomplete: string | undefined;
  readonly unserved: readonly string[];
  /** The enabled sources this cluster does not serve (they cover nothing). */
  readonly unservedSources: readonly CoverageSource[];
}

/** One list of the enabled sources' objects (Calico Tiers included), why some could not be read, and what is not served. */
export interface CoverageObjects {
  readonly objects: readonly KubeObject[];
  readonly incomplete: string | undefined;
  readonly unserved: readonly string[];
  readonly unservedSources: readonly CoverageSource[];
}

/** Lists every enabled source other than NetworkPolicy once, in pages of 500, as serve's caches would hold them. */
export async function listCoveragePolicies(config: KubeConfig, sources: readonly CoverageSource[]): Promise<CoverageListing> {
  const listed = await listCoverageObjects(config, sources);
  const tiers = tiersAmong(listed.objects);
  const policies = listed.objects.flatMap((object) => (isCalicoTier(object) ? [] : (readCoveragePolicy(object, object.ref.namespace ?? "default", tiers) ?? [])));
  return { policies, incomplete: listed.incomplete, unserved: listed.unserved, unservedSources: listed.unservedSources };
}

/** The enabled sources' objects as listed (explain and suggest read their rules, not only their coverage). */
export async function listCoverageObjects(config: KubeConfig, sources: readonly CoverageSource[]): Promise<CoverageObjects> {
  const api = config.makeApiClient(CustomObjectsApi);
  const listAll = async (resource: Resource): Promise<unknown[]> => {
    const items: unknown[] = [];
    let cont: string | undefined;
    do {
      const page = customPage(await api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, limit: 500, ...(cont ? { _continue: cont } : {}) }));
      items.push(...page.items);
      cont = page.metadata?._continue || undefined;
    } while (cont !== undefined);
    return items;
  };
  const found: { source: CoverageSource; resource: Resource }[] = [];
  const unserved: string[] = [];
  const unservedSources: CoverageSource[] = [];
  const failures: string[] = [];
  for (const source of sources) {
    if (source === "networking.k8s.io/NetworkPolicy") continue;
    const discovered = await discover(api, RESOURCES[source]);
    if (discovered.ok) found.push({ source, resource: discovered.resource });
    else {
      unserved.push(`${source} is ${discovered.reason}`);
      unservedSources.push(source);
    }
  }
  const objects: KubeObject[] = [];
  const calico = found.find(({ resource }) => resource.group.includes("projectcalico.org"));
  if (calico) {
    const tierResource = TIERS.find((candidate) => candidate.group === calico.resource.group) ?? calico.resource;
    try {
      for (const item of await listAll(tierResource)) {
        const object = asObjectOf(tierResource, item);
        if (object.ok) objects.push(object.value);
      }
    } catch (error) {
      failures.push(`listing Calico Tiers failed: ${describeApiError(error)}`);
    }
  }
  for (const { source, resource } of found) {
    try {
      for (const item of await listAll(resource)) {
        const object = asObjectOf(resource, item);
        if (object.ok) objects.push(object.value);
      }
    } catch (error) {
      failures.push(`listing ${source} failed: ${describeApiError(error)}`);
    }
  }
  return { objects, incomplete: failures.length === 0 ? undefined : failures.join("; "), unserved, unservedSources };
}
