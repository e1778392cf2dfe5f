import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { NamespaceLabels } from "../engine/types.js";
import { describeApiError } from "./api-error.js";
import { PAGE_SIZE } from "./list-cluster.js";
import { namespaceLabelsOf } from "./namespace-cache.js";

/** Every namespace's labels, listed once (audit, check --cluster); a refused list leaves them unknown, with why. */
export async function listNamespaceLabels(config: KubeConfig): Promise<(namespace: string) => NamespaceLabels> {
  const api = config.makeApiClient(CoreV1Api);
  const labels = new Map<string, Readonly<Record<string, string>>>();
  let cont: string | undefined;
  try {
    do {
      const page = await api.listNamespace({ limit: PAGE_SIZE, ...(cont ? { _continue: cont } : {}) });
      for (const item of page.items) {
        const namespace = namespaceLabelsOf(item);
        if (namespace) labels.set(namespace.name, namespace.labels);
      }
      cont = page.metadata?._continue || undefined;
    } while (cont !== undefined);
  } catch (error) {
    const reason = `listing Namespaces failed: ${describeApiError(error)}`;
    return () => ({ known: false, reason });
  }
  return (namespace) => {
    const found = labels.get(namespace);
    return found ? { known: true, labels: found } : { known: false, reason: `namespace "${namespace}" does not exist in the cluster` };
  };
}
