import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { asObject, asString } from "../kube/fields.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";
import type { ListedPod } from "../engine/coverage-loss.js";

/** Pods as metadata only (labels, annotations, owners, deletionTimestamp) and hostNetwork when asked, or why not. */
export type PodListing = { readonly ok: true; readonly pods: readonly ListedPod[] } | { readonly ok: false; readonly reason: string };

/** Which Pods to list: one namespace's or (undefined) every namespace's, and whether to tell hostNetwork ones apart. */
export interface PodScope {
  readonly namespace: string | undefined;
  /** The coverage kinds other than NetworkPolicy never reach hostNetwork Pods: a second, small list finds them. */
  readonly hostNetwork: boolean;
}

/** Lists Pods; injected so the guard can be tested without an API server. */
export type PodLister = (scope: PodScope) => Promise<PodListing>;

/** Limits of one listing: the whole list within the deadline, and no more Pods than this. */
export interface PodListerLimits {
  readonly timeoutMs: number;
  readonly maxPods: number;
}

/** The API server answers a list as PartialObjectMetadataList when asked: no specs, no status (kubectl get -o name does the same). */
const ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const PAGE = 500;
/** One page of 500 metadata-only Pods is well under a megabyte; far more is not an answer to trust. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * Lists Pods at review time, paginated, metadata only. client-node's typed list always decodes full
 * Pods, so this speaks the list protocol itself with the kubeconfig's public TLS and auth options.
 * spec.hostNetwork is not in the metadata, but it is a Pod field selector: the hostNetwork Pods are a
 * second list, alongside, within the same deadline.
 */
export function createPodMetadataLister(config: KubeConfig, limits: PodListerLimits): PodLister {
  return async ({ namespace, hostNetwork }) => {
    const server = config.getCurrentCluster()?.server;
    if (server === undefined) return { ok: false, reason: "no cluster in the kubeconfig" };
    const options: RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    const where = namespace === undefined ? "every namespace" : `namespace "${namespace}"`;
    const path = namespace === undefined ? "/api/v1/pods" : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limits.timeoutMs);
    const read = { base: `${server.replace(/\/$/, "")}${path}`, options, signal: abort.signal, maxPods: limits.maxPods };
    try {
      const [all, onHost] = await Promise.all([listAll(read, undefined), hostNetwork ? listAll(read, "spec.hostNetwork=true") : undefined]);
      const failed = (list: Extract<Listed, { ok: false }>): PodListing => ({ ok: false, reason: list.tooMany ? `${where} has more than ${String(limits.maxPods)} Pods` : `listing Pods in ${where} failed: ${list.reason}` });
      if (!all.ok) return failed(all);
      if (onHost !== undefined && !onHost.ok) return failed(onHost);
      const host = new Set(onHost?.ok === true ? onHost.pods.map(podKey) : []);
      return { ok: true, pods: all.pods.map((object) => ({ object, hostNetwork: host.has(podKey(object)) })) };
    } catch (error) {
      const reason = abort.signal.aborted ? `the API server did not list them within ${String(limits.timeoutMs)} ms` : error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `listing Pods in ${where} failed: ${reason}` };
    } finally {
      clearTimeout(timer);
    }
  };
}

const podKey = (pod: KubeObject): string => `${pod.ref.namespace ?? ""}/${pod.ref.name}`;

type Listed = { readonly ok: true; readonly pods: readonly KubeObject[] } | { readonly ok: false; readonly tooMany: boolean; readonly reason: string };

/** Every page of one list, or the first failure; past maxPods it stops. */
async function listAll(read: { readonly base: string; readonly options: RequestOptions; readonly signal: AbortSignal; readonly maxPods: number }, fieldSelector: string | undefined): Promise<Listed> {
  const pods: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const url = new URL(read.base);
    url.searchParams.set("limit", String(PAGE));
    if (fieldSelector !== undefined) url.searchParams.set("fieldSelector", fieldSelector);
    if (cont !== undefined) url.searchParams.set("continue", cont);
    const page = await getJson(url, read.options, read.signal);
    if (!page.ok) return { ok: false, tooMany: false, reason: page.reason };
    const items = asObject(page.value)?.["items"];
    for (const item of Array.isArray(items) ? items : []) {
      const metadata = asObject(asObject(item)?.["metadata"]) ?? {};
      // Only what the guard reads: managedFields and the rest of the page are garbage at once.
      const kept = { name: metadata["name"], namespace: metadata["namespace"], labels: metadata["labels"], annotations: metadata["annotations"], ownerReferences: metadata["ownerReferences"], deletionTimestamp: metadata["deletionTimestamp"] };
      const pod = toKubeObject({ apiVersion: "v1", kind: "Pod", metadata: kept }, { namespace: asString(metadata["namespace"]) ?? "" });
      if (pod.ok) pods.push(pod.value);
    }
    if (pods.length > read.maxPods) return { ok: false, tooMany: true, reason: "too many Pods" };
    cont = asString(asObject(asObject(page.value)?.["metadata"])?.["continue"]) || undefined;
  } while (cont !== undefined);
  return { ok: true, pods };
}

function getJson(url: URL, options: RequestOptions, signal: AbortSignal): Promise<{ ok: true; value: unknown } | { ok: false; reason: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...options, method: "GET", headers: { ...options.headers, Accept: ACCEPT }, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PAGE_BYTES) {
          req.destroy(new Error(`a page of the Pod list exceeded ${String(MAX_PAGE_BYTES)} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        let value: unknown;
        try {
          value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          resolve({ ok: false, reason: `HTTP ${String(res.statusCode)}: the answer is not JSON` });
          return;
        }
        if (res.statusCode !== 200) {
          resolve({ ok: false, reason: `HTTP ${String(res.statusCode)}: ${asString(asObject(value)?.["message"]) ?? "no message"}` });
          return;
        }
        resolve({ ok: true, value });
      });
    });
    req.on("error", reject);
    req.end();
  });
}
