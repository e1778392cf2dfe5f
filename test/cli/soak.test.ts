import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { describe, expect, it } from "vitest";
import { pod, podSpec } from "../builders.js";
import { spawnDevServer } from "../support/dev-server.js";
import { openLoop } from "../support/load.js";
import { admissionReview } from "../support/reviews.js";

const SOAK_MS = 60_000;
const RATE = 250;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

describe("soak", () => {
  it(`${String(SOAK_MS / 1000)} s at ${String(RATE)} req/s: zero errors, memory flat`, { timeout: SOAK_MS + 30_000 }, async () => {
    const { child, port } = await spawnDevServer(["--log-level", "warn"]);
    try {
      const agent = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 16 });
      const bodies = [
        JSON.stringify(admissionReview(pod("denied", podSpec({ hostNetwork: true })))),
        JSON.stringify(admissionReview(pod("warned", podSpec()), { operation: "UPDATE", oldObject: pod("warned", podSpec()) })),
      ];
      const send = (i: number) =>
        new Promise<{ status: number }>((resolve, reject) => {
          const body = bodies[i % bodies.length] ?? "";
          const req = request({ host: "127.0.0.1", port, path: "/validate?timeout=10s", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
          });
          req.on("error", reject);
          req.end(body);
        });
      const samples: number[] = [];
      const pid = child.pid ?? 0;
      const load = await openLoop({ rate: RATE, durationMs: SOAK_MS, send, onTick: (i) => (i % (RATE * 5) === 0 ? samples.push(rssMiB(pid)) : undefined) });
      agent.destroy();
      expect(load.errors).toEqual([]);
      expect(load.statuses).toEqual({ "200": load.sent });
      // Flat: after warm-up (first 15 s), RSS grows by less than 25 MiB over the rest of the run.
      const warm = samples.slice(3);
      expect(warm.length).toBeGreaterThan(3);
      expect(Math.max(...warm) - (warm[0] ?? 0)).toBeLessThan(25);
      console.log(`soak: ${String(load.sent)} requests, RSS samples (MiB): ${samples.map((s) => s.toFixed(1)).join(" ")}`);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
