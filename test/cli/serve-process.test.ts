import { Agent } from "node:https";
import { describe, expect, it } from "vitest";
import { pod, podSpec } from "../builders.js";
import { spawnDevServer } from "../support/dev-server.js";
import { halfSentRequest, httpsClient } from "../support/https-client.js";
import { eventually } from "../support/memory-logger.js";
import { admissionReview } from "../support/reviews.js";
import { startFakeCluster } from "../support/fake-cluster.js";

describe("netguard serve as a process", () => {
  it("serves --dev on a generated certificate and exits cleanly on SIGTERM with requests in flight", async () => {
    const { child, port } = await spawnDevServer([], "pipe");
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
    const body = JSON.stringify(admissionReview(pod("p", podSpec({ hostNetwork: true }))));
    const answers = Array.from({ length: 20 }, () => halfSentRequest(`https://127.0.0.1:${String(port)}/validate`, agent, body, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const a of answers) a.finish();
    const statuses = await Promise.all(answers.map((a) => a.answer));
    const code = await exited;
    agent.destroy();
    expect(statuses).toEqual(Array(20).fill(200));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The decision log is written in batches: every line is out by the time the process has exited.
    const decisions = stdout.split("\n").filter((line) => line.includes('"msg":"admission decision"'));
    expect(decisions).toHaveLength(20);
  });

  it("writes a decision line within about a second, without waiting for a full batch or for exit", async () => {
    const { child, port } = await spawnDevServer([], "pipe");
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const client = httpsClient(undefined);
    const post = async (review: unknown): Promise<number> => (await client.send(`https://127.0.0.1:${String(port)}/validate`, JSON.stringify(review))).status;
    try {
      expect(await post(admissionReview(pod("p", podSpec({ hostNetwork: true })), { uid: "flush-1" }))).toBe(200);
      const line = await eventually(
        () => stdout.split("\n").find((l) => l.includes('"uid":"flush-1"')),
        (found) => found !== undefined,
        3000,
      );
      expect(line).toContain('"msg":"admission decision"');
      expect(child.exitCode).toBeNull();
    } finally {
      client.close();
      child.kill("SIGTERM");
    }
  });

  it("keeps answering when whoever reads its stdout goes away", async () => {
    const { child, port } = await spawnDevServer([], "pipe");
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.destroy();
    const client = httpsClient(undefined);
    const post = async (uid: string): Promise<number> => (await client.send(`https://127.0.0.1:${String(port)}/validate`, JSON.stringify(admissionReview(pod("p", podSpec({})), { uid })))).status;
    try {
      // Enough lines for a full batch, then the one-second flush: both writes hit the closed pipe.
      for (let i = 0; i < 30; i += 1) expect(await post(`gone-${String(i)}`)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await post("after")).toBe(200);
      expect(child.exitCode).toBeNull();
      expect(stderr.match(/writing logs to stdout failed \(.+\); log lines are being dropped, admission goes on/g)).toHaveLength(1);
    } finally {
      client.close();
      child.kill("SIGTERM");
    }
  });

  it("with a cluster configured, exits within a second of 'shut down': no watch, socket or timer keeps it alive", async () => {
    const api = await startFakeCluster();
    const { child, port } = await spawnDevServer(["--kubeconfig", api.kubeconfig, "--shutdown-delay", "0"], "pipe");
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const client = httpsClient(undefined);
    try {
      await eventually(() => stdout, (text) => text.includes("NetworkPolicy cache synced"), 10_000);
      // A coverage denial makes a live read too: its keep-alive socket is one more thing to close.
      const answer = await client.send(`https://127.0.0.1:${String(port)}/validate`, JSON.stringify(admissionReview(pod("p", podSpec({})))));
      expect(answer.status).toBe(200);
      client.close();
      const exited = new Promise<number>((resolve) => child.once("exit", () => resolve(Date.now())));
      child.kill("SIGTERM");
      const exitedAt = await exited;
      const shutDown = stdout.split("\n").filter((line) => line.includes('"msg":"shut down"')).map((line) => JSON.parse(line) as { time: number });
      expect(shutDown).toHaveLength(1);
      expect(exitedAt - (shutDown[0]?.time ?? 0)).toBeLessThan(1000);
      expect(child.exitCode).toBe(0);
    } finally {
      client.close();
      child.kill("SIGKILL");
      await api.close();
    }
  });
});
