import { Agent, request } from "node:https";
import { join } from "node:path";
import { buildAssets, findAssets, hasGo } from "../test/e2e/support/assets.js";
import { startControlPlane, type ControlPlane } from "../test/e2e/support/control-plane.js";
import { createNamespace, registerWebhook, startNetguard } from "../test/e2e/support/netguard.js";
import { startProcess, tail, waitFor } from "../test/e2e/support/processes.js";
import { DEFAULT_POLICY } from "../src/policy/policy.js";
import { BUILTIN_RULES } from "../src/rules/index.js";
import { generatePolicies } from "../src/vap/generate.js";

/** Creates per second, and how long each round sends at that rate. */
const RATE = 100;
const ROUND_MS = 5000;
const ROUNDS = 3;
const NS = "bench";

/** What users create most: a Pod, and a Deployment of the usual shape (two containers, ports, probes, resources). */
const OBJECTS = {
  pod: (name: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 8080 }] }] },
  }),
  deployment: (name: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: "bench" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "bench", instance: name } },
      template: {
        metadata: { labels: { app: "bench", instance: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: "registry.k8s.io/pause:3.10",
              ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }],
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
              readinessProbe: { httpGet: { path: "/ready", port: "http" } },
            },
            { name: "sidecar", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 15000 }] },
          ],
        },
      },
    },
  }),
} as const;

const PATHS = { pod: `/api/v1/namespaces/${NS}/pods`, deployment: `/apis/apps/v1/namespaces/${NS}/deployments` } as const;

type Kind = keyof typeof OBJECTS;
/**
 * netguard; the ValidatingAdmissionPolicies `netguard vap` generates (no webhook); the bare Node HTTPS
 * floor (reads, parses, allows) registered the same way; neither webhook nor policies.
 */
type Mode = "netguard" | "vap" | "floor" | "none";
const MODES: readonly Mode[] = ["netguard", "vap", "floor", "none"];

/** p50 and p99 of latencies in ms. */
export function percentiles(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Sends creates at RATE for ROUND_MS, open loop: each latency counts from the request's scheduled time. */
async function round(plane: ControlPlane, agent: Agent, kind: Kind, dryRun: boolean, tag: string): Promise<{ latencies: number[]; errors: number }> {
  const count = (RATE * ROUND_MS) / 1000;
  const start = performance.now() + 50;
  const latencies: number[] = [];
  let errors = 0;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (performance.now() < due) {
      // Timers fire up to a millisecond early: never send before the slot.
    }
    const body = JSON.stringify(OBJECTS[kind](`${tag}-${String(i)}`));
    sends.push(
      post(plane, agent, `${PATHS[kind]}${dryRun ? "?dryRun=All" : ""}`, body).then((status) => {
        latencies.push(performance.now() - due);
        if (status !== 201) errors += 1;
      }),
    );
  }
  await Promise.all(sends);
  return { latencies, errors };
}

function post(plane: ControlPlane, agent: Agent, path: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${plane.url}${path}`, { method: "POST", agent, timeout: 10_000, headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** Which webhook or policies the API server runs, waiting until it acts on the change. */
async function setMode(plane: ControlPlane, mode: Mode, targets: Record<"netguard" | "floor", { port: number; ca: { cert: string; key: string } }>): Promise<void> {
  await plane.kubectl(["delete", "validatingadmissionpolicies,validatingadmissionpolicybindings", "-l", "app.kubernetes.io/part-of=netguard", "--ignore-not-found"]);
  if (mode === "netguard") {
    // Waits until netguard itself denies the marker: the policies are gone by then too.
    await registerWebhook(plane, targets.netguard);
    return;
  }
  await plane.kubectl(["delete", "validatingwebhookconfiguration", "netguard-validating-webhook", "--ignore-not-found"]);
  const marker = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "marker", namespace: "e2e-webhook-marker" }, spec: { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
  const dryRun = () => plane.kubectl(["create", "--dry-run=server", "-f", "-"], { stdin: marker });
  await waitFor("the webhook and the policies to be gone", async () => {
    const ran = await dryRun();
    if (ran.code !== 0) throw new Error(`the marker is still refused: ${ran.stderr.trim()}`);
    return true;
  }, { timeoutMs: 30_000 });
  if (mode === "vap") {
    const generated = generatePolicies(BUILTIN_RULES, DEFAULT_POLICY, { namePrefix: "netguard-" });
    if (!generated.ok) throw new Error(generated.errors.join("\n"));
    const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: generated.value.objects }) });
    if (applied.code !== 0) throw new Error(`applying the generated policies: ${applied.stderr}`);
    await waitFor("the policies to deny the marker", async () => ((await dryRun()).stderr.includes("ValidatingAdmissionPolicy 'netguard-deny-pods'") ? true : undefined), { timeoutMs: 30_000 });
  }
  if (mode === "floor") {
    // The floor denies nothing, so nothing shows when the API server starts calling it: give its informer time.
    await registerWebhook(plane, targets.floor, { probe: false });
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

/** Creates through a real kube-apiserver with netguard registered and with no webhook, alternating round by round. */
export async function benchApiserver(log: (text: string) => void, results: Record<string, unknown>): Promise<void> {
  let assets = findAssets();
  if (!assets.ok && hasGo() && !process.env["KUBEBUILDER_ASSETS"]) assets = buildAssets(log);
  if (!assets.ok) {
    log(`skipped apiserver: ${assets.reason} (see docs/testing.md, "A real API server")`);
    return;
  }
  // No controller manager: Deployments created here should cost the API server only the create itself.
  const plane = await startControlPlane(assets, { controllerManager: false });
  const netguard = await startNetguard(plane);
  const floorProcess = startProcess("floor", process.execPath, [join(import.meta.dirname, "baseline-server.js"), join(netguard.certs.dir, "tls.crt"), join(netguard.certs.dir, "tls.key")], { logDir: plane.dir });
  const floorPort = await waitFor("the floor to listen", () => {
    const match = /listening (\d+)/.exec(tail(floorProcess.log));
    return match ? Number(match[1]) : undefined;
  }, { timeoutMs: 10_000, process: floorProcess });
  const targets = { netguard, floor: { port: floorPort, ca: netguard.ca } };
  const agent = new Agent({ ca: plane.ca, keepAlive: true, maxSockets: 32 });
  try {
    await createNamespace(plane, NS);
    await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "all-in", namespace: NS }, spec: { podSelector: {} } }) });
    const cases: { kind: Kind; dryRun: boolean }[] = [
      { kind: "pod", dryRun: true },
      { kind: "pod", dryRun: false },
      { kind: "deployment", dryRun: true },
      { kind: "deployment", dryRun: false },
    ];
    const samples = new Map<string, number[]>();
    let errors = 0;
    let sequence = 0;
    for (let r = 0; r < ROUNDS; r += 1) {
      // Alternate which mode goes first, so a drift in the machine's speed falls on both alike.
      const order: readonly Mode[] = r % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        await setMode(plane, mode, targets);
        for (const c of cases) {
          sequence += 1;
          const ran = await round(plane, agent, c.kind, c.dryRun, `r${String(sequence)}`);
          errors += ran.errors;
          const key = `${c.kind} ${c.dryRun ? "dry-run" : "create"} ${mode}`;
          samples.set(key, [...(samples.get(key) ?? []), ...ran.latencies]);
        }
      }
    }
    const table: Record<string, unknown> = {};
    for (const c of cases) {
      const name = `${c.kind} ${c.dryRun ? "dry-run" : "create"}`;
      const of = (mode: Mode) => percentiles(samples.get(`${name} ${mode}`) ?? []);
      const [ours, vap, floor, none] = [of("netguard"), of("vap"), of("floor"), of("none")];
      table[name] = {
        netguard: ours,
        vap,
        floor,
        none,
        addedP50: ours.p50 - none.p50,
        addedP99: ours.p99 - none.p99,
        vapAddedP50: vap.p50 - none.p50,
        vapAddedP99: vap.p99 - none.p99,
        overFloorP50: ours.p50 - floor.p50,
        overFloorP99: ours.p99 - floor.p99,
      };
      const show = (p: { p50: number; p99: number }): string => `p50 ${p.p50.toFixed(2)} / p99 ${p.p99.toFixed(2)} ms`;
      log(
        `apiserver: ${name} at ${String(RATE)}/s (${String(ROUNDS)} rounds of ${String(ROUND_MS / 1000)} s per mode, alternating): no webhook ${show(none)}; ` +
          `bare floor webhook ${show(floor)}; netguard ${show(ours)}; netguard adds p50 ${(ours.p50 - none.p50).toFixed(2)} / p99 ${(ours.p99 - none.p99).toFixed(2)} ms ` +
          `(over the floor: p50 ${(ours.p50 - floor.p50).toFixed(2)} / p99 ${(ours.p99 - floor.p99).toFixed(2)} ms); ` +
          `the generated policies ${show(vap)}, adding p50 ${(vap.p50 - none.p50).toFixed(2)} / p99 ${(vap.p99 - none.p99).toFixed(2)} ms; ratio p50 policies/none ${(vap.p50 / none.p50).toFixed(2)}, netguard/none ${(ours.p50 / none.p50).toFixed(2)}`,
      );
    }
    const decided = netguard.decisions().filter((line) => line["namespace"] === NS).map((line) => Number(line["durationMs"]));
    const own = percentiles(decided);
    log(`apiserver: netguard's own time per review (its decision lines, ${String(decided.length)} reviews): p50 ${own.p50.toFixed(3)} / p99 ${own.p99.toFixed(3)} ms`);
    results["apiserverOwn"] = own;
    log(`apiserver: ${String(errors)} requests did not answer 201 Created`);
    results["apiserver"] = { rate: RATE, roundMs: ROUND_MS, rounds: ROUNDS, cases: table, errors };
  } finally {
    agent.destroy();
    await floorProcess.stop();
    await netguard.stop();
    await plane.stop();
  }
}
