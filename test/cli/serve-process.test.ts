import { spawn } from "node:child_process";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pod, podSpec } from "../builders.js";
import { admissionReview } from "../support/reviews.js";

const MAIN = join(import.meta.dirname, "..", "..", "dist", "src", "main.js");

describe("netguard serve as a process", () => {
  it("serves --dev on a generated certificate and exits cleanly on SIGTERM with requests in flight", async () => {
    const child = spawn(process.execPath, [MAIN, "serve", "--dev", "--port", "0", "--health-port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /https:\/\/localhost:(\d+)\/validate/.exec(stderr);
        if (match) resolve(Number(match[1]));
      });
      child.on("exit", (code) => reject(new Error(`exited early with ${String(code)}: ${stderr}`)));
    });
    const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
    const body = JSON.stringify(admissionReview(pod("p", podSpec({ hostNetwork: true }))));
    const answers = Array.from({ length: 20 }, () => {
      let finish: () => void = () => undefined;
      const answer = new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/validate", method: "POST", agent, headers: { "content-length": Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.write(body.slice(0, 50));
        finish = () => req.end(body.slice(50));
      });
      return { answer, finish: () => finish() };
    });
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
  });
});
