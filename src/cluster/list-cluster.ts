import { AppsV1Api, BatchV1Api, CoreV1Api, NetworkingV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiStatusOf, describeApiError } from "./api-error.js";
import { asObject } from "../kube/fields.js";
import { wireNetworkPolicy } from "./wire-network-policy.js";

/** One page of a list call. */
interface Page {
  readonly items: readonly object[];
  readonly metadata?: { readonly _continue?: string | undefined } | undefined;
}

/** A kind the audit lists: its identity and how to list it, all namespaces or one. */
export interface ListedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly resource: string;
  readonly list: (namespace: string | undefined, limit: number, cont: string | undefined) => Promise<Page>;
  /** Puts back wire field names the typed client renamed, where the kind has any. */
  readonly wire?: (item: object) => unknown;
}

/** Per page: big enough to be quick, small enough to keep each response modest (kubectl uses 500). */
export const PAGE_SIZE = 500;

/** The kinds `netguard audit` reads, through the typed client-node APIs. */
export function auditedKinds(config: KubeConfig): ListedKind[] {
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);
  const page = (limit: number, cont: string | undefined) => ({ limit, ...(cont ? { _continue: cont } : {}) });
  // NetworkPolicies first (every workload is judged against them), then controllers before what they
  // create: audit judges each page as it arrives, and a Pod is reported at an owner already seen.
  return [
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", resource: "networkpolicies", wire: wireNetworkPolicy, list: (ns, l, c) => (ns ? networking.listNamespacedNetworkPolicy({ namespace: ns, ...page(l, c) }) : networking.listNetworkPolicyForAllNamespaces(page(l, c))) },
    { apiVersion: "apps/v1", kind: "Deployment", resource: "deployments", list: (ns, l, c) => (ns ? apps.listNamespacedDeployment({ namespace: ns, ...page(l, c) }) : apps.listDeploymentForAllNamespaces(page(l, c))) },
    { apiVersion: "apps/v1", kind: "StatefulSet", resource: "statefulsets", list: (ns, l, c) => (ns ? apps.listNamespacedStatefulSet({ namespace: ns, ...page(l, c) }) : apps.listStatefulSetForAllNamespaces(page(l, c))) },
    { apiVersion: "apps/v1", kind: "DaemonSet", resource: "daemonsets", list: (ns, l, c) => (ns ? apps.listNamespacedDaemonSet({ namespace: ns, ...page(l, c) }) : apps.listDaemonSetForAllNamespaces(page(l, c))) },
    { apiVersion: "batch/v1", kind: "CronJob", resource: "cronjobs", list: (ns, l, c) => (ns ? batch.listNamespacedCronJob({ namespace: ns, ...page(l, c) }) : batch.listCronJobForAllNamespaces(page(l, c))) },
    { apiVersion: "v1", kind: "ReplicationController", resource: "replicationcontrollers", list: (ns, l, c) => (ns ? core.listNamespacedReplicationController({ namespace: ns, ...page(l, c) }) : core.listReplicationControllerForAllNamespaces(page(l, c))) },
    { apiVersion: "apps/v1", kind: "ReplicaSet", resource: "replicasets", list: (ns, l, c) => (ns ? apps.listNamespacedReplicaSet({ namespace: ns, ...page(l, c) }) : apps.listReplicaSetForAllNamespaces(page(l, c))) },
    { apiVersion: "batch/v1", kind: "Job", resource: "jobs", list: (ns, l, c) => (ns ? batch.listNamespacedJob({ namespace: ns, ...page(l, c) }) : batch.listJobForAllNamespaces(page(l, c))) },
    { apiVersion: "v1", kind: "PodTemplate", resource: "podtemplates", list: (ns, l, c) => (ns ? core.listNamespacedPodTemplate({ namespace: ns, ...page(l, c) }) : core.listPodTemplateForAllNamespaces(page(l, c))) },
    { apiVersion: "v1", kind: "Pod", resource: "pods", list: (ns, l, c) => (ns ? core.listNamespacedPod({ namespace: ns, ...page(l, c) }) : core.listPodForAllNamespaces(page(l, c))) },
    { apiVersion: "v1", kind: "Service", resource: "services", list: (ns, l, c) => (ns ? core.listNamespacedService({ namespace: ns, ...page(l, c) }) : core.listServiceForAllNamespaces(page(l, c))) },
  ];
}

/** The outcome of listing one kind: every item (apiVersion and kind restored), or why not. */
export type KindListing =
  | { readonly ok: true; readonly kind: ListedKind; readonly items: object[] }
  | { readonly ok: false; readonly kind: ListedKind; readonly status: number | undefined; readonly error: string };

/** One page of a kind (apiVersion and kind restored), or the error that ended its listing. */
export type ListedPage = { readonly ok: true; readonly items: object[] } | { readonly ok: false; readonly status: number | undefined; readonly error: string };

/** The pages of one kind as the API server sends them; the caller keeps what it needs of each and drops the rest. */
export async function* listPages(kind: ListedKind, namespace: string | undefined): AsyncGenerator<ListedPage, void, undefined> {
  let cont: string | undefined;
  do {
    let page: Page | undefined;
    try {
      page = await kind.list(namespace, PAGE_SIZE, cont);
    } catch (error) {
      yield { ok: false, status: apiStatusOf(error), error: describeApiError(error) };
      return;
    }
    cont = page.metadata?._continue || undefined;
    // List items carry no apiVersion/kind. The page is let go before the yield: a suspended generator
    // would otherwise hold it through the next request, long enough for it to outlive young collections.
    const items: object[] = page.items.map((item) => ({ ...asObject(kind.wire ? kind.wire(item) : item), apiVersion: kind.apiVersion, kind: kind.kind }));
    page = undefined;
    yield { ok: true, items };
  } while (cont !== undefined);
}

/** Lists every page of one kind into memory (check --cluster's NetworkPolicies of a few namespaces). */
export async function listKind(kind: ListedKind, namespace: string | undefined, onPage: (count: number) => void): Promise<KindListing> {
  const items: object[] = [];
  for await (const page of listPages(kind, namespace)) {
    if (!page.ok) return { ok: false, kind, status: page.status, error: page.error };
    items.push(...page.items);
    onPage(items.length);
  }
  return { ok: true, kind, items };
}
