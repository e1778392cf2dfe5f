import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { evaluate } from "../src/engine/evaluate.js";
import { inventoryFromObjects } from "../src/engine/inventory.js";
import { collectObjects } from "../src/manifests/collect-objects.js";
import { DEFAULT_POLICY } from "../src/policy/policy.js";
import { BUILTIN_RULES } from "../src/rules/index.js";
import { AUDITED, NETWORK_POLICIES, startFakeKubeApi, type FakeKubeApi } from "../test/support/fake-kube-api.js";
import { issue, makeCa, secretDir } from "../test/support/pki.js";
import { admissionReview } from "../test/support/reviews.js";
import { imageNodeFlags } from "../test/support/image.js";
import { benchApiserver } from "./apiserver-bench.js";
import { benchGuard } from "./guard-bench.js";
import { tempDir } from "../test/support/temp-dir.js";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "dist", "src", "main.js");
const BENCH = join(ROOT, "dist", "bench");
const CORPUS = join(ROOT, "..", "shared", "corpus", "kube-prometheus");
const PIN = existsSync("/usr/bin/taskset") && cpus().length >= 2;
/** netguard runs with the node flags of its image, as in production. */
const NODE_FLAGS = imageNodeFlags(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const sections = process.argv.slice(2);
const wants = (name: string): boolean => sections.length === 0 || sections.includes(name);
const results: Record<string, unknown> = {};

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Runs a command pinned to one CPU when the machine allows, so server and load do not share a core. */
function pinned(cpu: number, args: string[], stdio: "pipe" | "ignore" = "pipe"): ChildProcess {
  const [command, rest] = PIN ? ["taskset", ["-c", String(cpu), process.execPath, ...args]] : [process.execPath, args];
  return spawn(command, rest, { stdio: ["ignore", stdio, "inherit"] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function rss(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rssMiB: kb("VmRSS"), peakMiB: kb("VmHWM") };
}

async function output(child: ChildProcess): Promise<string> {
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  await new Promise((resolve) => child.on("exit", resolve));
  return text;
}

async function load(spec: Record<string, unknown>): Promise<Record<string, number>> {
  const text = await output(pinned(1, [join(BENCH, "load-generator.js"), JSON.stringify(spec)]));
  return JSON.parse(text.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
}

async function waitReady(healthPort: number, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${String(healthPort)}/readyz`)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error("netguard did not become ready");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function corpusFiles(): string[] {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : name.endsWith(".yaml") ? [join(dir, name)] : []));
  return walk(CORPUS).sort();
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

// 1. check: rules against parse-only time, on the corpus repeated to ≥ 50,000 objects.
function benchCheck(): void {
  const texts = corpusFiles().map((file) => readFileSync(file, "utf8"));
  const perCopy = collectObjects(texts.map((text, i) => ({ file: `f${String(i)}`, text })), [], "default").objects.length;
  const copies = Math.ceil(50_000 / perCopy);
  const inputs = Array.from({ length: copies }, (_, c) => texts.map((text, i) => ({ file: `copy${String(c)}/f${String(i)}.yaml`, text }))).flat();
  const parseOnly = (slice: readonly { text: string }[]): number => {
    let documents = 0;
    for (const input of slice) for (const doc of parseAllDocuments(input.text)) if (doc.toJS() !== null) documents += 1;
    return documents;
  };
  const full = (slice: readonly { file: string; text: string }[]): number => {
    const collected = collectObjects(slice, [], "default");
    const report = evaluate(collected.objects, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryFromObjects(collected.objects, "default"), surface: "manifests", today: "2026-11-24", defaultNamespace: "default" });
    return report.objects;
  };
  const time = (fn: () => number): number => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  // Warm up on a small part, then alternate parse-only and check over 8 slices of the ~700 MB set, so
  // a noisy neighbour slows both alike; the sums are compared.
  const warm = inputs.slice(0, texts.length * 10);
  time(() => parseOnly(warm));
  time(() => full(warm));
  const slices = 8;
  const size = Math.ceil(inputs.length / slices);
  let parseMs = 0;
  let checkMs = 0;
  for (let i = 0; i < slices; i += 1) {
    const slice = inputs.slice(i * size, (i + 1) * size);
    parseMs += time(() => parseOnly(slice));
    checkMs += time(() => full(slice));
  }
  const objects = perCopy * copies;
  const best = (key: "parse" | "check") => (key === "parse" ? parseMs : checkMs);
  results["check"] = { objects, parseOnlyMs: best("parse"), checkMs: best("check"), ratio: best("check") / best("parse"), objectsPerSecond: objects / (best("check") / 1000) };
  log(`check: ~${String(objects)} objects (corpus x${String(copies)}, 8 alternating slices); parse-only ${fmt(best("parse"), 0)} ms, check ${fmt(best("check"), 0)} ms ` + `= ${fmt(objects / (best("check") / 1000), 0)} objects/s; ratio check/parse-only ${fmt(best("check") / best("parse"))} (target <= 1.3)`);
}

/** Reviews built from the corpus: Deployments, the DaemonSet, Services and NetworkPolicies, allowed and denied. */
function corpusReviews(): string[] {
  const wanted = new Set(["Deployment", "DaemonSet", "Service", "NetworkPolicy"]);
  const objects = corpusFiles().flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS() as Record<string, unknown> | null));
  return objects.filter((o): o is Record<string, unknown> => o !== null && wanted.has(String(o["kind"]))).map((o, i) => JSON.stringify(admissionReview(o, { uid: `bench-${String(i)}` })));
}

function corpusPolicies(api: FakeKubeApi): void {
  for (const file of corpusFiles()) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const object = doc.toJS() as { kind?: string; metadata: { name: string; namespace?: string } } | null;
      if (object?.kind === "NetworkPolicy") api.put(NETWORK_POLICIES, object);
    }
  }
}

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly healthPort: number;
  readonly readyMs: number;
}

async function startNetguard(certDir: string, kubeconfig: string, extra: readonly string[] = []): Promise<Served> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const child = pinned(0, [...NODE_FLAGS, MAIN, "serve", `--cert-dir=${certDir}`, `--port=${String(port)}`, `--health-port=${String(healthPort)}`, "--host=127.0.0.1", `--kubeconfig=${kubeconfig}`, "--shutdown-delay=0", ...extra], "ignore");
  const readyMs = await waitReady(healthPort);
  return { child, port, healthPort, readyMs };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One server's figures over the rounds, and its ratios against the first server round by round. */
interface Compared {
  readonly rps: number;
  readonly rpsSleeping: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly rssMiB: number;
  readonly peakMiB: number;
  /** Medians of the per-round ratios to the first server (each round measures both within seconds). */
  readonly throughputRatio: number;
  readonly throughputRatioSleeping: number;
  readonly p99Ratio: number;
}

/** The items in order on even rounds and reversed on odd ones, so none always goes first. */
function alternate<T>(round: number, items: readonly T[]): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/**
 * Alternates the load between servers round by round (in the order `alternate` gives), so a noisy
 * neighbour hits both alike, and takes medians of the per-round ratios. Saturation is measured with a
 * busy-polling generator and a sleeping one (see LoadSpec.busyPoll); the fixed-rate latency with the
 * busy-polling one.
 */
async function compare(servers: readonly { name: string; port: number; pid: number }[], caFile: string, bodiesFile: string, rounds: number): Promise<Record<string, Compared>> {
  const samples = servers.map(() => ({ rps: [] as number[], rpsSleeping: [] as number[], p50: [] as number[], p99: [] as number[], errors: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, server] of alternate(round, [...servers.entries()])) {
      const common = { port: server.port, caFile, bodiesFile, warmupMs: 1000 };
      const saturation = await load({ ...common, mode: "saturate", connections: 32, durationMs: 5000, busyPoll: true });
      const sleeping = await load({ ...common, mode: "saturate", connections: 32, durationMs: 5000, busyPoll: false });
      const fixed = await load({ ...common, mode: "fixed-rate", connections: 64, durationMs: 6000, rate: 1000, busyPoll: true });
      const entry = samples[index];
      if (!entry) continue;
      entry.rps.push(saturation["requestsPerSecond"] ?? Number.NaN);
      entry.rpsSleeping.push(sleeping["requestsPerSecond"] ?? Number.NaN);
      entry.p50.push(fixed["p50"] ?? Number.NaN);
      entry.p99.push(fixed["p99"] ?? Number.NaN);
      entry.errors += (saturation["errors"] ?? 0) + (sleeping["errors"] ?? 0) + (fixed["errors"] ?? 0);
    }
  }
  const first = samples[0];
  const ratios = (mine: readonly number[], theirs: readonly number[] | undefined): number => median(mine.map((value, round) => value / (theirs?.[round] ?? Number.NaN)));
  return Object.fromEntries(
    servers.map((server, index) => {
      const entry = samples[index] ?? { rps: [], rpsSleeping: [], p50: [], p99: [], errors: 0 };
      const compared: Compared = {
        rps: median(entry.rps),
        rpsSleeping: median(entry.rpsSleeping),
        p50: median(entry.p50),
        p99: median(entry.p99),
        errors: entry.errors,
        ...rss(server.pid),
        throughputRatio: ratios(entry.rps, first?.rps),
        throughputRatioSleeping: ratios(entry.rpsSleeping, first?.rpsSleeping),
        p99Ratio: ratios(entry.p99, first?.p99),
      };
      return [server.name, compared];
    }),
  );
}

/**
 * Both servers on cpu0 at once, each saturated by its own busy-polling generator on cpu1: the scheduler
 * splits cpu0 evenly between them, so their throughput ratio is the ratio of their per-request costs, and
 * a noisy neighbour slows both in the same instant. Medians of the per-round ratios.
 */
async function fairShare(first: { port: number }, second: { port: number }, caFile: string, bodiesFile: string, rounds: number): Promise<{ ratio: number; ratios: number[] }> {
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const spec = { caFile, bodiesFile, warmupMs: 1000, mode: "saturate", connections: 32, durationMs: 6000, busyPoll: true };
    // The generator started second measured ~1.5% ahead: which one starts first alternates too.
    const targets = [first, second];
    const loads: Promise<Record<string, number>>[] = [];
    for (const index of alternate(round, [0, 1])) loads[index] = load({ ...spec, port: targets[index]?.port ?? 0 });
    const [a, b] = await Promise.all(loads);
    ratios.push((b?.["requestsPerSecond"] ?? Number.NaN) / (a?.["requestsPerSecond"] ?? Number.NaN));
  }
  return { ratio: median(ratios), ratios };
}

// 2. The webhook against the floor: a bare Node HTTPS server that parses the review and allows.
async function benchWebhook(): Promise<void> {
  const work = tempDir("netguard-bench-");
  const ca = await makeCa();
  const leaf = await issue(ca);
  const secret = secretDir(leaf);
  const caFile = join(work, "ca.crt");
  writeFileSync(caFile, ca.cert);
  const bodiesFile = join(work, "bodies.json");
  writeFileSync(bodiesFile, JSON.stringify(corpusReviews()));
  const apiCa = await makeCa("fake apiserver CA");
  const api = await startFakeKubeApi({ ca: apiCa, serving: await issue(apiCa), bookmarkMs: 5000 });
  corpusPolicies(api);

  const baseline = pinned(0, [join(BENCH, "baseline-server.js"), join(secret.dir, "tls.crt"), join(secret.dir, "tls.key")]);
  const basePort = await new Promise<number>((resolve) => baseline.stdout?.on("data", (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1]))));
  const served = await startNetguard(secret.dir, api.kubeconfig);
  const variants = process.env["NETGUARD_VARIANTS"] ? await Promise.all(process.env["NETGUARD_VARIANTS"].split(";").map(async (v) => ({ name: v, served: await startNetguard(secret.dir, api.kubeconfig, v.split(" ")) }))) : [];
  const rounds = 5;
  const measured = await compare(
    [
      { name: "baseline", port: basePort, pid: baseline.pid ?? 0 },
      { name: "netguard", port: served.port, pid: served.child.pid ?? 0 },
      ...variants.map((v) => ({ name: v.name, port: v.served.port, pid: v.served.child.pid ?? 0 })),
    ],
    caFile,
    bodiesFile,
    rounds,
  );
  const shared = await fairShare({ port: basePort }, { port: served.port }, caFile, bodiesFile, 4);
  await stop(baseline);
  await stop(served.child);
  for (const v of variants) {
    log(`  variant ${v.name}: ${JSON.stringify(measured[v.name])}`);
    await stop(v.served.child);
  }
  await api.close();
  const base = measured["baseline"];
  const ours = measured["netguard"];
  if (!base || !ours) throw new Error("the webhook comparison measured nothing");
  results["webhook"] = { baseline: base, netguard: ours, throughputRatio: ours.throughputRatio, throughputRatioSleeping: ours.throughputRatioSleeping, fairShareRatio: shared.ratio, fairShareRounds: shared.ratios, p99Ratio: ours.p99Ratio, pinned: PIN, rounds };
  log(`webhook (server on cpu0, load generator on cpu1: ${String(PIN)}; HTTPS keep-alive, certificate verified; medians of ${String(rounds)} alternating rounds):`);
  for (const [name, r] of [["baseline", base], ["netguard", ours]] as const) {
    log(
      `  ${name}: ${fmt(r.rps, 0)} req/s saturated (${fmt(r.rpsSleeping, 0)} with a sleeping generator); p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms at 1,000 req/s (open loop); ` +
        `RSS ${fmt(r.rssMiB, 0)} MiB; errors ${String(r.errors)}`,
    );
  }
  log(
    `  ratios netguard/baseline (median of per-round ratios): throughput ${fmt(ours.throughputRatio)} (target >= 0.8; ${fmt(ours.throughputRatioSleeping)} with a sleeping generator), ` +
      `p99 ${fmt(ours.p99Ratio)} (target <= 1.5)`,
  );
  log(`  fair-share throughput ratio (both servers on cpu0 at once, 4 rounds): ${fmt(shared.ratio)} (rounds ${shared.ratios.map((r) => fmt(r)).join(", ")})`);
}

// 3. Cluster scale: 10,000 NetworkPolicies in 1,000 namespaces against 10.
async function benchScale(): Promise<void> {
  const work = tempDir("netguard-scale-");
  const ca = await makeCa();
  const secret = secretDir(await issue(ca));
  const caFile = join(work, "ca.crt");
  writeFileSync(caFile, ca.cert);
  const apis: FakeKubeApi[] = [];
  // Mixed: of every 10 policies of a namespace, 4 NetworkPolicies, 3 CiliumNetworkPolicies and 3 Calico
  // NetworkPolicies (crd.projectcalico.org/v1), with netguard told to read all three kinds.
  const cilium = { group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy", namespaced: true };
  const calico = { group: "crd.projectcalico.org", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy", namespaced: true };
  const calicoTiers = { group: "crd.projectcalico.org", version: "v1", plural: "tiers", kind: "Tier", namespaced: false };
  const mixedPolicy = join(work, "mixed-policy.yaml");
  writeFileSync(mixedPolicy, "rules:\n  ingress-policy:\n    sources: [networking.k8s.io/NetworkPolicy, cilium.io/CiliumNetworkPolicy, projectcalico.org/NetworkPolicy]\n");
  const start = async (namespaces: number, perNamespace: number, mixed = false) => {
    const apiCa = await makeCa("fake apiserver CA");
    const api = await startFakeKubeApi({ ca: apiCa, serving: await issue(apiCa), bookmarkMs: 5000 });
    apis.push(api);
    if (mixed) api.put(calicoTiers, { metadata: { name: "security" }, spec: { defaultAction: "Deny" } });
    for (let n = 0; n < namespaces; n += 1) {
      for (let p = 0; p < perNamespace; p += 1) {
        const metadata = { name: `np-${String(p)}`, namespace: `ns-${String(n)}` };
        const app = `app-${String(p)}`;
        if (mixed && p >= 7) api.put(calico, { metadata, spec: { selector: `app == '${app}'`, types: ["Ingress"], ingress: [{ action: "Allow", destination: { ports: [8080] } }] } });
        else if (mixed && p >= 4) api.put(cilium, { metadata, spec: { endpointSelector: { matchLabels: { app } }, ingress: [{ toPorts: [{ ports: [{ port: "8080" }] }] }] } });
        else api.put(NETWORK_POLICIES, { metadata, spec: { podSelector: { matchLabels: { app } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8080 }] }] } });
      }
    }
    const bodies = Array.from({ length: 200 }, (_, i) => {
      const namespace = `ns-${String(i % namespaces)}`;
      const labels = { app: `app-${String(i % perNamespace)}` };
      const spec = { containers: [{ name: "app", image: "example/app:1", ports: [{ containerPort: 8080 }] }] };
      const object = i % 2 === 0 ? { apiVersion: "v1", kind: "Pod", metadata: { name: `p${String(i)}`, namespace, labels }, spec } : { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `d${String(i)}`, namespace }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } } };
      return JSON.stringify(admissionReview(object, { uid: `s-${String(i)}` }));
    });
    const bodiesFile = join(work, `bodies-${String(namespaces)}.json`);
    writeFileSync(bodiesFile, JSON.stringify(bodies));
    const served = await startNetguard(secret.dir, api.kubeconfig, mixed ? [`--policy=${mixedPolicy}`] : []);
    return { policies: namespaces * perNamespace, served, bodiesFile, synced: rss(served.child.pid ?? 0) };
  };
  // Started one after the other (so the syncs do not compete), then loaded in alternating rounds.
  const smallRun = await start(1, 10);
  const largeRun = await start(1000, 10);
  const mixedRun = await start(1000, 10, true);
  const samples: Record<string, number[]> = { small: [], large: [], mixed: [] };
  for (let round = 0; round < 3; round += 1) {
    for (const [name, r] of [["small", smallRun], ["large", largeRun], ["mixed", mixedRun]] as const) {
      const common = { port: r.served.port, caFile, bodiesFile: r.bodiesFile, warmupMs: 1000 };
      await load({ ...common, mode: "saturate", connections: 32, durationMs: 3000, busyPoll: true });
      const fixed = await load({ ...common, mode: "fixed-rate", connections: 64, durationMs: 6000, rate: 1000, busyPoll: true });
      samples[name]?.push(fixed["p99"] ?? Number.NaN);
    }
  }
  const summary = (r: typeof smallRun, name: string) => ({ policies: r.policies, readyMs: r.served.readyMs, rssSyncedMiB: r.synced.rssMiB, peakMiB: rss(r.served.child.pid ?? 0).peakMiB, p99: median(samples[name] ?? []) });
  const small = summary(smallRun, "small");
  const large = summary(largeRun, "large");
  const mixed = summary(mixedRun, "mixed");
  await stop(smallRun.served.child);
  await stop(largeRun.served.child);
  await stop(mixedRun.served.child);
  for (const api of apis) await api.close();
  results["scale"] = { small, large, mixed, syncDeltaMs: large.readyMs - small.readyMs, p99Ratio: large.p99 / small.p99, mixedP99Ratio: mixed.p99 / small.p99 };
  log("cluster scale (process start to /readyz 200, which waits for the initial list/sync):");
  for (const r of [small, large]) log(`  ${String(r.policies).padStart(6)} NetworkPolicies: ready in ${fmt(r.readyMs, 0)} ms; RSS ${fmt(r.rssSyncedMiB, 0)} MiB after sync, peak ${fmt(r.peakMiB, 0)} MiB; p99 ${fmt(r.p99)} ms at 1,000 req/s (median of 3 alternating rounds)`);
  log(`  sync cost of 10,000 policies: +${fmt(large.readyMs - small.readyMs, 0)} ms (target: sync <= 3 s); p99 ratio ${fmt(large.p99 / small.p99)} (target <= 1.0 within noise); RSS target <= 200 MB`);
  log(
    `  10,000 mixed (4,000 NetworkPolicies, 3,000 CiliumNetworkPolicies, 3,000 Calico NetworkPolicies, all three kinds enabled): ready in ${fmt(mixed.readyMs, 0)} ms; ` +
      `RSS ${fmt(mixed.rssSyncedMiB, 0)} MiB after sync, peak ${fmt(mixed.peakMiB, 0)} MiB (ratio to 10,000 NetworkPolicies: ${fmt(mixed.rssSyncedMiB / large.rssSyncedMiB)}); p99 ratio to 10 policies ${fmt(mixed.p99 / small.p99)}`,
  );
}

// 4. audit over fake clusters of 50,000, 200,000 and 500,000 objects, each against listing the same objects only.
async function benchAudit(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  log("audit (fake API, pages of 500; per namespace: 1 NetworkPolicy, 10 Deployments, their 10 ReplicaSets, 25 Pods, 4 Services):");
  for (const namespaces of [1_000, 4_000, 10_000]) {
    const apiCa = await makeCa("fake apiserver CA");
    const api = await startFakeKubeApi({ ca: apiCa, serving: await issue(apiCa), bookmarkMs: 5000 });
    const objects = fillAuditCluster(api, namespaces);
    const child = async (mode: string, flags: readonly string[]) =>
      JSON.parse((await output(pinned(0, [...NODE_FLAGS, ...flags, join(BENCH, "audit-child.js"), mode, api.kubeconfig]))).trim()) as { ms: number; maxRssMiB: number };
    // Both as the shipped CronJob runs them (its NODE_OPTIONS), and the audit once more with Node's defaults.
    const list = await child("list", REPORTER_FLAGS);
    const audit = await child("audit", REPORTER_FLAGS);
    const defaults = await child("audit", []);
    await api.close();
    rows.push({ objects, list, audit, defaults, ratio: audit.ms / list.ms });
    log(
      `  ${String(objects).padStart(7)} objects: list only ${fmt(list.ms / 1000, 1)} s, peak RSS ${fmt(list.maxRssMiB, 0)} MiB; ` +
        `netguard audit ${fmt(audit.ms / 1000, 1)} s (${fmt(audit.ms / (objects / 1000), 1)} ms per 1,000), peak RSS ${fmt(audit.maxRssMiB, 0)} MiB; ratio audit/list-only: time ${fmt(audit.ms / list.ms)}, peak RSS ${fmt(audit.maxRssMiB / list.maxRssMiB)}; ` +
        `without the heap limit: ${fmt(defaults.ms / 1000, 1)} s, peak RSS ${fmt(defaults.maxRssMiB, 0)} MiB`,
    );
  }
  results["audit"] = rows;
  log(`  target: netguard audit peak RSS <= 300 MiB at every size with the CronJob's ${REPORTER_FLAGS.join(" ")}, time linear in objects`);
}

/** The node flags config/reports gives the audit (NODE_OPTIONS), so the bench measures what the CronJob runs. */
const REPORTER_FLAGS: readonly string[] = (() => {
  const cron = parseAllDocuments(readFileSync(join(ROOT, "config", "reports", "cronjob.yaml"), "utf8"))[0]?.toJS() as { spec: { jobTemplate: { spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } } } } };
  const value = cron.spec.jobTemplate.spec.template.spec.containers[0]?.env?.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
  return value.split(" ").filter((flag) => flag !== "");
})();

/** Fills a fake API with the audit bench's mix, 50 objects per namespace; returns how many. */
function fillAuditCluster(api: FakeKubeApi, namespaces: number): number {
  const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: "app", image: "example/app:1", ports: [{ containerPort: 8080 }] }] } });
  let objects = 0;
  for (let n = 0; n < namespaces; n += 1) {
    const namespace = `ns-${String(n)}`;
    api.put(AUDITED["NetworkPolicy"] ?? NETWORK_POLICIES, { metadata: { name: "default-deny", namespace }, spec: { podSelector: n % 2 === 0 ? {} : { matchLabels: { app: "app-0" } } } });
    objects += 1;
    for (let d = 0; d < 10; d += 1) {
      const app = `app-${String(d)}`;
      api.put(AUDITED["Deployment"] ?? NETWORK_POLICIES, { metadata: { name: app, namespace, uid: `${namespace}-d${String(d)}` }, spec: { selector: { matchLabels: { app } }, template: template(app) } });
      api.put(AUDITED["ReplicaSet"] ?? NETWORK_POLICIES, { metadata: { name: `${app}-1`, namespace, uid: `${namespace}-r${String(d)}`, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: app, uid: `${namespace}-d${String(d)}`, controller: true }] }, spec: { selector: { matchLabels: { app } }, template: template(app) } });
      objects += 2;
    }
    for (let p = 0; p < 25; p += 1) {
      const owner = `app-${String(p % 10)}-1`;
      api.put(AUDITED["Pod"] ?? NETWORK_POLICIES, { metadata: { name: `pod-${String(p)}`, namespace, labels: { app: `app-${String(p % 10)}` }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: `${namespace}-r${String(p % 10)}`, controller: true }] }, spec: template("x").spec });
      objects += 1;
    }
    for (let s = 0; s < 4; s += 1) {
      api.put(AUDITED["Service"] ?? NETWORK_POLICIES, { metadata: { name: `svc-${String(s)}`, namespace }, spec: { ports: [{ port: 80, protocol: s === 3 ? "UDP" : "TCP" }] } });
      objects += 1;
    }
  }
  return objects;
}

log(`netguard bench on ${cpus()[0]?.model ?? "unknown CPU"} x${String(cpus().length)}, Node ${process.version}; netguard serve runs with the image's node flags: ${NODE_FLAGS.join(" ") || "(none)"}`);
if (!existsSync(CORPUS) && (wants("check") || wants("webhook"))) log(`skipped check and webhook: ${CORPUS} is absent (it ships beside the project on the team's machines)`);
if (existsSync(CORPUS) && wants("check")) benchCheck();
if (existsSync(CORPUS) && wants("webhook")) await benchWebhook();
if (wants("scale")) await benchScale();
if (wants("audit")) await benchAudit();
if (wants("apiserver")) await benchApiserver(log, results);
if (wants("guard")) await benchGuard(log, results, NODE_FLAGS);
writeFileSync(join(ROOT, "dist", "bench-results.json"), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
