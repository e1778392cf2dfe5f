import { spawn } from "node:child_process";

/** Input and environment for one kubectl run. */
export interface KubectlOptions {
  readonly stdin?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** What kubectl printed and how it exited: exactly what a user sees. */
export interface KubectlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl as a user would (no TTY, so no colours), bounded in time. */
export function runKubectl(binary: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, KUBECTL_COMMAND_HEADERS: "false" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}
