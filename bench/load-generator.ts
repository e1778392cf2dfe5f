import { readFileSync } from "node:fs";
import { openConnection, validateRequest, type RawConnection } from "./raw-client.js";

/** A load run's settings, passed as JSON in argv[2]. */
interface LoadSpec {
  readonly mode: "saturate" | "fixed-rate";
  readonly port: number;
  readonly caFile: string;
  readonly bodiesFile: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly rate?: number;
  /**
   * Keep this process's event loop polling instead of sleeping in epoll. On loopback the sender's write
   * runs the receiver's TCP receive path and wake-up on the sender's CPU, so a sleeping generator makes
   * the server under test pay for waking it, and the slower server pays on more of its replies.
   */
  readonly busyPoll?: boolean;
}

/** Closed loop: every connection sends back to back; throughput counted after the warm-up. */
async function saturate(spec: LoadSpec, connections: RawConnection[], requests: Buffer[]): Promise<Record<string, number>> {
  const start = performance.now();
  const end = start + spec.durationMs;
  let counted = 0;
  let errors = 0;
  let next = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < end) {
        const request = requests[next++ % requests.length] ?? Buffer.alloc(0);
        const status = await connection.send(request).catch(() => 0);
        if (status !== 200) errors += 1;
        if (performance.now() - start > spec.warmupMs) counted += 1;
      }
    }),
  );
  return { requestsPerSecond: counted / ((spec.durationMs - spec.warmupMs) / 1000), errors };
}

/** Open loop: requests due on a clock, latency from the due time, the warm-up second left out. */
async function fixedRate(spec: LoadSpec, connections: RawConnection[], requests: Buffer[]): Promise<Record<string, number>> {
  const rate = spec.rate ?? 1000;
  const total = Math.floor((rate * spec.durationMs) / 1000);
  const free = [...connections];
  const queue: { due: number; request: Buffer }[] = [];
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  let finished = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const dispatch = (): void => {
    while (free.length > 0 && queue.length > 0) {
      const connection = free.pop();
      const job = queue.shift();
      if (!connection || !job) return;
      void connection.send(job.request).then(
        (status) => finish(connection, job.due, status === 200),
        () => finish(connection, job.due, false),
      );
    }
  };
  const finish = (connection: RawConnection, due: number, ok: boolean): void => {
    if (!ok) errors += 1;
    if (due - start >= spec.warmupMs) latencies.push(performance.now() - due);
    free.push(connection);
    finished += 1;
    if (finished === total) done();
    dispatch();
  };
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    // Timers have millisecond granularity and may fire up to 1 ms early: sleep the whole milliseconds,
    // then yield until the due time, so no request leaves before its slot.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, Math.floor(wait) - 1));
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    queue.push({ due, request: requests[i % requests.length] ?? Buffer.alloc(0) });
    dispatch();
  }
  await all;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN, samples: latencies.length, errors };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  const ca = readFileSync(spec.caFile, "utf8");
  const requests = (JSON.parse(readFileSync(spec.bodiesFile, "utf8")) as string[]).map(validateRequest);
  const connections = await Promise.all(Array.from({ length: spec.connections }, () => openConnection({ host: "127.0.0.1", port: spec.port, ca, servername: "localhost" })));
  let polling = spec.busyPoll === true;
  const poll = (): void => {
    if (polling) setImmediate(poll);
  };
  poll();
  const result = spec.mode === "saturate" ? await saturate(spec, connections, requests) : await fixedRate(spec, connections, requests);
  polling = false;
  for (const connection of connections) connection.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
