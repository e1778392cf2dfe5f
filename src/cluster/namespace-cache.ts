import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { NAMESPACE_NAME_LABEL } from "../engine/inventory.js";
import type { NamespaceLabels } from "../engine/types.js";
import { asObject, asString, asStringMap } from "../kube/fields.js";
import { startListWatch } from "./list-watch.js";

/** The webhook's view of namespace labels, for policy overrides with a namespaceSelector. */
export interface NamespaceCache {
  readonly namespaceLabels: (namespace: string) => NamespaceLabels;
  readonly isSynced: () => boolean;
  readonly synced: Promise<void>;
  readonly stop: () => Promise<void>;
}

/** A listed or watched Namespace's name and labels (its name label added: servers before 1.21 did not set it). */
export function namespaceLabelsOf(object: unknown): { name: string; labels: Readonly<Record<string, string>> } | undefined {
  const metadata = asObject(asObject(object)?.["metadata"]);
  const name = asString(metadata?.["name"]);
  return name ? { name, labels: { ...asStringMap(metadata?.["labels"]), [NAMESPACE_NAME_LABEL]: name } } : undefined;
}

/** Lists then watches Namespaces, keeping each one's labels and nothing else. */
export function startNamespaceCache(config: KubeConfig, options: { readonly logger: Logger; readonly retryMs: number }): NamespaceCache {
  const api = config.makeApiClient(CoreV1Api);
  let labels = new Map<string, Readonly<Record<string, string>>>();
  const loop = startListWatch(config, {
    what: "Namespace",
    path: "/api/v1/namespaces",
    list: (cont) => api.listNamespace({ limit: 500, ...(cont ? { _continue: cont } : {}) }),
    replace: (items) => {
      const fresh = new Map<string, Readonly<Record<string, string>>>();
      for (const item of items) {
        const namespace = namespaceLabelsOf(item);
        if (namespace) fresh.set(namespace.name, namespace.labels);
      }
      labels = fresh;
    },
    event: (type, object) => {
      const namespace = namespaceLabelsOf(object);
      if (namespace === undefined) return;
      if (type === "DELETED") labels.delete(namespace.name);
      else labels.set(namespace.name, namespace.labels);
    },
    logger: options.logger,
    retryMs: options.retryMs,
    onSynced: () => options.logger.info({ namespaces: labels.size }, "Namespace cache synced"),
  });
  return {
    namespaceLabels: (namespace) => {
      if (!loop.isSynced()) return { known: false, reason: "the Namespace cache has not synced with the API server yet" };
      const found = labels.get(namespace);
      // A namespace created a moment ago may not have reached the watch yet.
      return found ? { known: true, labels: found } : { known: false, reason: `namespace "${namespace}" is not in the Namespace cache (yet)` };
    },
    isSynced: loop.isSynced,
    synced: loop.synced,
    stop: loop.stop,
  };
}
