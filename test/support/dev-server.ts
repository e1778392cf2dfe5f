import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const MAIN = join(import.meta.dirname, "..", "..", "dist", "src", "main.js");

/** `netguard serve --dev` from the build, on 127.0.0.1 and free ports; resolves once it prints its port. */
export async function spawnDevServer(extra: readonly string[] = [], stdout: "ignore" | "pipe" = "ignore"): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN, "serve", "--dev", "--port", "0", "--health-port", "0", "--host", "127.0.0.1", ...extra], { stdio: ["ignore", stdout, "pipe"] });
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /https:\/\/localhost:(\d+)\/validate/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", (code) => reject(new Error(`exited early with ${String(code)}: ${stderr}`)));
  });
  return { child, port };
}
