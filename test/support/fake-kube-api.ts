import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import type { Pem } from "./pki.js";
import { tempDir } from "./temp-dir.js";

/** A resource the fake serves, e.g. networking.k8s.io/v1 networkpolicies. */
export interface FakeResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const NETWORK_POLICIES: FakeResource = { group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy", namespaced: true };

type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown }; [key: string]: unknown };

interface Stored {
  readonly resource: FakeResource;
  readonly object: KubeObject;
}

interface Watcher {
  readonly resource: FakeResource;
  readonly namespace: string | undefined;
  readonly res: ServerResponse;
}

/** Options: a serving pair signed by `ca`, and how often to send bookmarks. */
export interface FakeApiOptions {
  readonly ca: Pem;
  readonly serving: Pem;
  readonly bookmarkMs?: number;
}

/** A local API server speaking the list/watch protocol to the real client-node: resourceVersions, events, bookmarks, 410 Gone, pagination, 403, the Pods' hostNetwork field selector. */
export async function startFakeKubeApi(options: FakeApiOptions) {
  let rv = 100;
  let compactedBelow = 0;
  const store = new Map<string, Stored>();
  const watchers = new Set<Watcher>();
  // The watch cache: events a watch from an older resourceVersion gets replayed, as the real API server does.
  const history: { rv: number; type: "ADDED" | "MODIFIED" | "DELETED"; stored: Stored }[] = [];
  const forbidden = new Set<string>();
  const requests: string[] = [];
  /** The Accept header of each request, in the same order as requests. */
  const accepts: string[] = [];
  const sockets = new Set<Socket>();
  const groupVersion = (r: FakeResource): string => (r.group ? `${r.group}/${r.version}` : r.version);
  const keyOf = (r: FakeResource, ns: string | undefined, name: string): string => `${r.plural}|${ns ?? ""}|${name}`;
  const resources = new Map<string, FakeResource>();
  const register = (r: FakeResource): void => {
    resources.set(r.group ? `/apis/${r.group}/${r.version}|${r.plural}` : `/api/${r.version}|${r.plural}`, r);
  };
  register(NETWORK_POLICIES);
  for (const resource of Object.values(AUDITED)) register(resource);

  // Sorted per resource once per change, so paging through 50,000 objects stays cheap.
  const sorted = new Map<FakeResource, Stored[]>();
  const sortedOf = (resource: FakeResource): Stored[] => {
    let list = sorted.get(resource);
    if (list === undefined) {
      list = [...store.values()]
        .filter((s) => s.resource === resource)
        .sort((a, b) => keyOf(resource, a.object.metadata.namespace, a.object.metadata.name).localeCompare(keyOf(resource, b.object.metadata.namespace, b.object.metadata.name)));
      sorted.set(resource, list);
    }
    return list;
  };
  const emit = (type: "ADDED" | "MODIFIED" | "DELETED", stored: Stored, live = true): void => {
    sorted.delete(stored.resource);
    history.push({ rv, type, stored });
    if (!live) return;
    for (const watcher of watchers) {
      if (watcher.resource !== stored.resource) continue;
      if (watcher.namespace !== undefined && watcher.namespace !== stored.object.metadata.namespace) continue;
      watcher.res.write(`${JSON.stringify({ type, object: full(stored) })}\n`);
    }
  };
  const full = (stored: Stored): KubeObject => ({ apiVersion: groupVersion(stored.resource), kind: stored.resource.kind, ...stored.object });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "https://fake");
    requests.push(`${req.method ?? "GET"} ${url.pathname}${url.search}`);
    accepts.push(req.headers.accept ?? "");
    const match = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(url.pathname);
    const resource = match ? resources.get(`${match[1] ?? ""}|${match[3] ?? ""}`) : undefined;
    if (!match || !resource || req.method !== "GET") {
      status(res, 404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
      return;
    }
    const namespace = match[2];
    if (forbidden.has(resource.plural)) {
      status(res, 403, "Forbidden", `${resource.group ? `${resource.plural}.${resource.group}` : resource.plural} is forbidden: User "test" cannot list resource "${resource.plural}" in API group "${resource.group}" at the cluster scope`);
      return;
    }
    if (url.searchParams.get("watch") === "true") {
      startWatch(resource, namespace, url, res);
      return;
    }
    // Field selectors: the one the guard sends (Pods' spec.hostNetwork); any other is refused, as the real server refuses an unknown field.
    const fieldSelector = url.searchParams.get("fieldSelector");
    const hostNetwork = fieldSelector === null ? undefined : /^spec\.hostNetwork=(true|false)$/.exec(fieldSelector)?.[1];
    if (fieldSelector !== null && (hostNetwork === undefined || resource.plural !== "pods")) {
      status(res, 400, "BadRequest", `field label not supported: ${fieldSelector}`);
      return;
    }
    const onHost = (stored: Stored): boolean => (stored.object["spec"] as { hostNetwork?: unknown } | undefined)?.hostNetwork === true;
    const all = sortedOf(resource).filter((s) => (namespace === undefined || s.object.metadata.namespace === namespace) && (hostNetwork === undefined || onHost(s) === (hostNetwork === "true")));
    const limit = Number(url.searchParams.get("limit") ?? "0");
    const offset = Number(url.searchParams.get("continue") ?? "0");
    const page = limit > 0 ? all.slice(offset, offset + limit) : all;
    const next = limit > 0 && offset + limit < all.length ? String(offset + limit) : undefined;
    // List items carry no apiVersion/kind, as the real API server sends them.
    send(res, 200, {
      apiVersion: groupVersion(resource),
      kind: `${resource.kind}List`,
      metadata: { resourceVersion: String(rv), ...(next ? { continue: next } : {}) },
      items: page.map((s) => s.object),
    });
  };

  const startWatch = (resource: FakeResource, namespace: string | undefined, url: URL, res: ServerResponse): void => {
    const from = Number(url.searchParams.get("resourceVersion") ?? "0");
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    // The real API server sends the headers at once; client-node's informer waits for them.
    res.flushHeaders();
    if (from > 0 && from < compactedBelow) {
      res.end(`${JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: `too old resource version: ${String(from)} (${String(compactedBelow)})` } })}\n`);
      return;
    }
    const watcher: Watcher = { resource, namespace, res };
    for (const event of history) {
      if (event.rv <= from || event.stored.resource !== resource) continue;
      if (namespace !== undefined && event.stored.object.metadata.namespace !== namespace) continue;
      res.write(`${JSON.stringify({ type: event.type, object: full(event.stored) })}\n`);
    }
    watchers.add(watcher);
    const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true" || true;
    const timer = bookmarks
      ? setInterval(() => {
          res.write(`${JSON.stringify({ type: "BOOKMARK", object: { kind: resource.kind, apiVersion: groupVersion(resource), metadata: { resourceVersion: String(rv) } } })}\n`);
        }, options.bookmarkMs ?? 5000)
      : undefined;
    res.on("close", () => {
      clearInterval(timer);
      watchers.delete(watcher);
    });
  };

  const server: Server = createServer({ key: options.serving.key, cert: options.serving.cert }, handler);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${String(port)}`;
  const dir = tempDir("netguard-kubeconfig-");
  const kubeconfig = join(dir, "config");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: fake",
      "  cluster:",
      `    server: ${url}`,
      `    certificate-authority-data: ${Buffer.from(options.ca.cert).toString("base64")}`,
      "users:",
      "- name: test",
      "  user:",
      "    token: test-token",
      "contexts:",
      "- name: fake",
      "  context: {cluster: fake, user: test}",
      "current-context: fake",
      "",
    ].join("\n"),
  );

  return {
    url,
    kubeconfig,
    requests,
    accepts,
    register,
    /** Creates or replaces an object, sending ADDED or MODIFIED to watchers (unless `silent`: a lagging watch). */
    put(resource: FakeResource, object: KubeObject, silent = false): void {
      register(resource);
      rv += 1;
      const key = keyOf(resource, object.metadata.namespace, object.metadata.name);
      const existed = store.has(key);
      const stored = { resource, object: { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } } };
      store.set(key, stored);
      emit(existed ? "MODIFIED" : "ADDED", stored, !silent);
    },
    /** Deletes an object, sending DELETED. */
    remove(resource: FakeResource, namespace: string | undefined, name: string): void {
      const key = keyOf(resource, namespace, name);
      const stored = store.get(key);
      if (!stored) return;
      store.delete(key);
      rv += 1;
      emit("DELETED", { resource, object: { ...stored.object, metadata: { ...stored.object.metadata, resourceVersion: String(rv) } } });
    },
    /** Answers 403 to lists and watches of this resource. */
    forbid(resource: FakeResource): void {
      register(resource);
      forbidden.add(resource.plural);
    },
    /** Watches from before now get 410 Gone, as after etcd compaction. */
    compact(): void {
      compactedBelow = rv + 1;
    },
    /** Ends every open watch stream (a cut connection). */
    cutWatches(): void {
      for (const watcher of watchers) watcher.res.destroy();
    },
    /** Goes away entirely: stops listening and drops every connection. */
    async down(): Promise<void> {
      for (const watcher of watchers) watcher.res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    /** Comes back on the same port. */
    async up(): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
    },
    watcherCount: (): number => watchers.size,
    async close(): Promise<void> {
      for (const watcher of watchers) watcher.res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fake's handle type. */
export type FakeKubeApi = Awaited<ReturnType<typeof startFakeKubeApi>>;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

/** A NetworkPolicy object for the fake. */
export function fakePolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { metadata: { name, namespace }, spec };
}

/** The kinds `netguard audit` lists, for registering and filling the fake. */
/** Namespaces: cluster-scoped, watched by serve for overrides with a namespaceSelector. */
export const NAMESPACES: FakeResource = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };

export const AUDITED: Record<string, FakeResource> = {
  Pod: { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true },
  ReplicationController: { group: "", version: "v1", plural: "replicationcontrollers", kind: "ReplicationController", namespaced: true },
  PodTemplate: { group: "", version: "v1", plural: "podtemplates", kind: "PodTemplate", namespaced: true },
  Service: { group: "", version: "v1", plural: "services", kind: "Service", namespaced: true },
  Deployment: { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true },
  ReplicaSet: { group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", namespaced: true },
  StatefulSet: { group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true },
  DaemonSet: { group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true },
  Job: { group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true },
  CronJob: { group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", namespaced: true },
  NetworkPolicy: NETWORK_POLICIES,
};
