import { Agent, request } from "node:https";
import { buildAssets, findAssets, hasGo } from "../test/e2e/support/assets.js";
import { startControlPlane, type ControlPlane } from "../test/e2e/support/control-plane.js";
import { installCiliumCrds } from "../test/e2e/support/cilium.js";
import { createNamespace, registerWebhook, startNetguard } from "../test/e2e/support/netguard.js";
import { KubeConfig } from "@kubernetes/client-node";
import { createPodMetadataLister } from "../src/cluster/pod-metadata-lister.js";
import { percentiles } from "./apiserver-bench.js";

const NS = "guard-bench";
const PODS = [0, 1000, 5000];
const DELETES = 40;
const POLICY_PATH = `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`;
const CCNP_PATH = "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies";
const CILIUM_SOURCES = ["networking.k8s.io/NetworkPolicy", "cilium.io/CiliumNetworkPolicy", "cilium.io/CiliumClusterwideNetworkPolicy"];

function send(plane: ControlPlane, agent: Agent, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${plane.url}${path}`, { method, agent, timeout: 30_000, headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/**
 * `kubectl delete networkpolicy --dry-run=server` through a real API server, with the guard on (it
 * lists the namespace's Pods, metadata only) and off (the same webhook, nothing listed), at 0, 1,000
 * and 5,000 Pods that the policy covers; rounds alternate so drift falls on both alike. Then the same
 * for a CiliumClusterwideNetworkPolicy at 5,000 Pods, whose guard lists every namespace.
 */
export async function benchGuard(log: (text: string) => void, results: Record<string, unknown>, nodeFlags: readonly string[]): Promise<void> {
  let assets = findAssets();
  if (!assets.ok && hasGo() && !process.env["KUBEBUILDER_ASSETS"]) assets = buildAssets(log);
  if (!assets.ok) {
    log(`skipped guard: ${assets.reason}`);
    return;
  }
  const plane = await startControlPlane(assets, { controllerManager: false });
  let netguard = await startNetguard(plane, { policy: "rules:\n  ingress-policy: {guard: warn}\n", nodeFlags });
  await registerWebhook(plane, netguard);
  const agent = new Agent({ ca: plane.ca, keepAlive: true, maxSockets: 16 });
  const rssMiB = async (): Promise<number> => {
    const metrics = await (await fetch(`http://127.0.0.1:${String(netguard.healthPort)}/metrics`)).text();
    return Number(/^netguard_process_resident_memory_bytes (\S+)/m.exec(metrics)?.[1] ?? Number.NaN) / 1024 / 1024;
  };
  const startRss = await rssMiB();
  const table: Record<string, unknown> = {};
  let current: "on" | "off" = "on";
  try {
    await createNamespace(plane, NS);
    const policy = JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "web-ingress", namespace: NS }, spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] } });
    if ((await send(plane, agent, "POST", POLICY_PATH, policy)) !== 201) throw new Error("creating the NetworkPolicy failed");
    let created = 0;
    for (const target of PODS) {
      while (created < target) {
        const batch = Array.from({ length: Math.min(50, target - created) }, (_, i) => created + i);
        await Promise.all(batch.map((i) => send(plane, agent, "POST", `/api/v1/namespaces/${NS}/pods`, JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: `web-${String(i)}`, namespace: NS, labels: { app: "web", "pod-template-hash": "abc" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } }))));
        created += batch.length;
      }
      const samples: Record<"on" | "off", number[]> = { on: [], off: [] };
      for (let round = 0; round < 4; round += 1) {
        for (const mode of round % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const)) {
          if (mode !== current) await netguard.setPolicy(`rules:\n  ingress-policy: {guard: ${mode === "on" ? "warn" : "off"}}\n`);
          current = mode;
          for (let i = 0; i < DELETES / 4; i += 1) {
            const started = performance.now();
            const status = await send(plane, agent, "DELETE", `${POLICY_PATH}/web-ingress?dryRun=All`);
            if (status !== 200) throw new Error(`dry-run delete answered ${String(status)}`);
            samples[mode].push(performance.now() - started);
          }
        }
      }
      // The metadata-only list by itself, from this process: what the guard cannot go below.
      const config = new KubeConfig();
      config.loadFromFile(plane.kubeconfig);
      const list = createPodMetadataLister(config, { timeoutMs: 30_000, maxPods: 50_000 });
      const listed: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const started = performance.now();
        const listing = await list({ namespace: NS, hostNetwork: false });
        if (!listing.ok || listing.pods.length !== target) throw new Error(`listing: ${listing.ok ? String(listing.pods.length) : listing.reason}`);
        listed.push(performance.now() - started);
      }
      const alone = percentiles(listed);
      log(`guard: the metadata-only list of ${String(target)} Pods alone: p50 ${alone.p50.toFixed(2)} ms`);
      const on = percentiles(samples.on);
      const off = percentiles(samples.off);
      table[String(target)] = { on, off, listAlone: alone, ratioP50: on.p50 / off.p50 };
      log(`guard: dry-run delete of a NetworkPolicy covering ${String(target)} Pods: guard off p50 ${off.p50.toFixed(2)} / p99 ${off.p99.toFixed(2)} ms; guard on p50 ${on.p50.toFixed(2)} / p99 ${on.p99.toFixed(2)} ms; ratio p50 ${(on.p50 / off.p50).toFixed(2)}`);
    }
    const rss = await rssMiB();
    log(`guard: netguard RSS at the start ${startRss.toFixed(0)} MiB, after the runs ${rss.toFixed(0)} MiB`);
    // A clusterwide kind: the same delete of a CiliumClusterwideNetworkPolicy, whose guard lists every
    // namespace's Pods and the hostNetwork ones beside them.
    await installCiliumCrds(plane, ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]);
    const withCilium = (guard: "warn" | "off"): string => `rules:\n  ingress-policy: {guard: ${guard}, sources: [${CILIUM_SOURCES.join(", ")}]}\n`;
    await netguard.stop();
    netguard = await startNetguard(plane, { policy: withCilium("warn"), nodeFlags, components: ["config/sources/cilium"], ca: netguard.ca });
    await registerWebhook(plane, netguard, { components: ["config/sources/cilium"] });
    const ccnp = JSON.stringify({ apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name: "every-pod" }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ["cluster"] }] } });
    if ((await send(plane, agent, "POST", CCNP_PATH, ccnp)) !== 201) throw new Error("creating the CiliumClusterwideNetworkPolicy failed");
    const wide: Record<"on" | "off", number[]> = { on: [], off: [] };
    let mode: "on" | "off" = "on";
    for (let round = 0; round < 4; round += 1) {
      for (const next of round % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const)) {
        if (next !== mode) await netguard.setPolicy(withCilium(next === "on" ? "warn" : "off"));
        mode = next;
        for (let i = 0; i < DELETES / 4; i += 1) {
          const started = performance.now();
          const status = await send(plane, agent, "DELETE", `${CCNP_PATH}/every-pod?dryRun=All`);
          if (status !== 200) throw new Error(`dry-run delete of the clusterwide policy answered ${String(status)}`);
          wide[next].push(performance.now() - started);
        }
      }
    }
    const config = new KubeConfig();
    config.loadFromFile(plane.kubeconfig);
    const list = createPodMetadataLister(config, { timeoutMs: 30_000, maxPods: 50_000 });
    const timed = async (scope: Parameters<typeof list>[0]): Promise<ReturnType<typeof percentiles>> => {
      const listed: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const started = performance.now();
        const listing = await list(scope);
        if (!listing.ok) throw new Error(`listing: ${listing.reason}`);
        listed.push(performance.now() - started);
      }
      return percentiles(listed);
    };
    const namespaceList = await timed({ namespace: NS, hostNetwork: false });
    const clusterList = await timed({ namespace: undefined, hostNetwork: true });
    const on = percentiles(wide.on);
    const off = percentiles(wide.off);
    log(
      `guard: dry-run delete of a CiliumClusterwideNetworkPolicy covering ${String(created)} Pods: guard off p50 ${off.p50.toFixed(2)} ms; guard on p50 ${on.p50.toFixed(2)} / p99 ${on.p99.toFixed(2)} ms; ratio p50 ${(on.p50 / off.p50).toFixed(2)}; ` +
        `lists alone: one namespace p50 ${namespaceList.p50.toFixed(2)} ms, every namespace with the hostNetwork list p50 ${clusterList.p50.toFixed(2)} ms (ratio ${(clusterList.p50 / namespaceList.p50).toFixed(2)})`,
    );
    results["guard"] = { pods: table, rssStartMiB: startRss, rssMiB: rss, clusterwide: { pods: created, on, off, ratioP50: on.p50 / off.p50, namespaceList, clusterList } };
  } finally {
    agent.destroy();
    await netguard.stop();
    await plane.stop();
  }
}
