import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { asObject, asString } from "../kube/fields.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";

/** A namespace's Pods as metadata only (labels, annotations, owners, deletionTimestamp), or why not. */
export type PodListing = { readonly ok: true; readonly pods: readonly KubeObject[] } | { readonly ok: false; readonly reason: string };

/** Lists one namespace's Pods; injected so the guard can be tested without an API server. */
export type PodLister = (namespace: string) => Promise<PodListing>;

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
 */
export function createPodMetadataLister(config: KubeConfig, limits: PodListerLimits): PodLister {
  return async (namespace) => {
    const server = config.getCurrentCluster()?.server;
    if (server === undefined) return { ok: false, reason: "no cluster in the kubeconfig" };
    const options: RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limits.timeoutMs);
    const pods: KubeObject[] = [];
    let cont: string | undefined;
    try {
      do {
        const url = new URL(`${server.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`);
        url.searchParams.set("limit", String(PAGE));
        if (cont !== undefined) url.searchParams.set("continue", cont);
        const page = await getJson(url, options, abort.signal);
        if (!page.ok) return { ok: false, reason: `listing Pods in namespace "${namespace}" failed: ${page.reason}` };
        const items = asObject(page.value)?.["items"];
        for (const item of Array.isArray(items) ? items : []) {
          const metadata = asObject(asObject(item)?.["metadata"]) ?? {};
          // Only what the guard reads: managedFields and the rest of the page are garbage at once.
          const kept = { name: metadata["name"], namespace: metadata["namespace"], labels: metadata["labels"], annotations: metadata["annotations"], ownerReferences: metadata["ownerReferences"], deletionTimestamp: metadata["deletionTimestamp"] };
          const pod = toKubeObject({ apiVersion: "v1", kind: "Pod", metadata: kept }, { namespace });
          if (pod.ok) pods.push(pod.value);
        }
        if (pods.length > limits.maxPods) return { ok: false, reason: `namespace "${namespace}" has more than ${String(limits.maxPods)} Pods` };
        cont = asString(asObject(asObject(page.value)?.["metadata"])?.["continue"]) || undefined;
      } while (cont !== undefined);
    } catch (error) {
      const reason = abort.signal.aborted ? `the API server did not list them within ${String(limits.timeoutMs)} ms` : error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `listing Pods in namespace "${namespace}" failed: ${reason}` };
    } finally {
      clearTimeout(timer);
    }
    return { ok: true, pods };
  };
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
