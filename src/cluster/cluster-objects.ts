import type { Inventory } from "../engine/types.js";
import type { CoverageSource } from "../kube/coverage/source.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";
import { listCoverageObjects } from "./coverage-cache.js";
import { loadKubeConfig } from "./kubeconfig.js";
import { auditedKinds, listKind } from "./list-cluster.js";
import { listNamespaceLabels } from "./namespace-labels.js";

/** What explain and suggest ask the cluster for. */
export interface ClusterObjectsRequest {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  /** One namespace, or every namespace. */
  readonly namespace: string | undefined;
  /** Kinds to list besides the NetworkPolicies (which are always listed): Pod, Deployment, Service… */
  readonly kinds: readonly string[];
  readonly sources: readonly CoverageSource[];
}

/** The cluster's objects as read, and what only the cluster knows: namespace labels, and which coverage reads failed. */
export type ClusterObjects =
  | { readonly ok: true; readonly objects: readonly KubeObject[]; readonly facts: Pick<Inventory, "namespaceLabels" | "coveragePolicies">; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** Loads objects from the cluster for `netguard explain --cluster` and `netguard suggest --cluster`; injected so the commands stay testable. */
export type ClusterObjectsLoader = (request: ClusterObjectsRequest) => Promise<ClusterObjects>;

/** Lists the NetworkPolicies and the asked kinds (one namespace or all), every enabled coverage source's objects, and namespace labels. */
export const loadClusterObjects: ClusterObjectsLoader = async (request) => {
  const config = loadKubeConfig(request);
  if (!config.ok) return config;
  const objects: KubeObject[] = [];
  const where = request.namespace === undefined ? "in any namespace" : `in namespace "${request.namespace}"`;
  for (const kind of auditedKinds(config.value).filter((k) => k.kind === "NetworkPolicy" || request.kinds.includes(k.kind))) {
    const listing = await listKind(kind, request.namespace, () => undefined);
    if (!listing.ok) return { ok: false, error: `cannot list ${kind.resource} ${where}: ${listing.error}` };
    for (const item of listing.items) {
      const object = toKubeObject(item, { namespace: undefined });
      if (object.ok) objects.push(object.value);
    }
  }
  const coverage = request.sources.some((source) => source !== "networking.k8s.io/NetworkPolicy") ? await listCoverageObjects(config.value, request.sources) : undefined;
  objects.push(...(coverage?.objects ?? []));
  const incomplete = coverage?.incomplete;
  return {
    ok: true,
    objects,
    notes: (coverage?.unserved ?? []).map((line) => `enabled coverage source ${line}: it covers nothing`),
    facts: {
      namespaceLabels: await listNamespaceLabels(config.value),
      // A kind that could not be listed leaves coverage unverified, never passed.
      ...(incomplete === undefined ? {} : { coveragePolicies: () => ({ policies: [], incomplete }) }),
    },
  };
};
