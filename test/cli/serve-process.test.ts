import { Agent } from "node:https";
import { describe, expect, it } from "vitest";
import { pod, podSpec } from "../builders.js";
import { spawnDevServer } from "../support/dev-server.js";
import { halfSentRequest } from "../support/https-client.js";
import { admissionReview } from "../support/reviews.js";

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
});
