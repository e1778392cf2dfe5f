import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A child process started by the harness, with its log file. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
  readonly exited: () => boolean;
}

/**
 * PIDs of everything started are also written to $NETGUARD_TEST_TMP/e2e-pids, so the run's global
 * teardown can kill what a crashed or killed test worker left behind: stopped by PID, on failure too.
 */
function pidDir(): string {
  const dir = join(process.env["NETGUARD_TEST_TMP"] ?? "/tmp", "e2e-pids");
  mkdirSync(dir, { recursive: true });
  return dir;
}

const running = new Set<Started>();
let exitHookInstalled = false;

/** Starts a binary with its output in a log file; killed on exit of this process if still running. */
export function startProcess(name: string, command: string, args: readonly string[], options: { readonly logDir: string; readonly env?: NodeJS.ProcessEnv }): Started {
  const log = join(options.logDir, `${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const pidFile = child.pid !== undefined ? join(pidDir(), String(child.pid)) : undefined;
  if (pidFile) writeFileSync(pidFile, `${name}\n`);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.on("exit", () => {
      done = true;
      if (pidFile) rmSync(pidFile, { force: true });
      resolve();
    });
    child.on("error", () => {
      done = true;
      resolve();
    });
  });
  const started: Started = {
    name,
    child,
    log,
    exited: () => done,
    stop: async (graceMs = 10_000) => {
      running.delete(started);
      if (!done) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exit;
        clearTimeout(timer);
      }
      out.end();
    },
  };
  running.add(started);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const p of running) p.child.kill("SIGKILL");
    });
  }
  return started;
}

/** Kills every process a run left behind (called from the global teardown). */
export function killLeftovers(tmp: string): string[] {
  const dir = join(tmp, "e2e-pids");
  const killed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return killed;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    try {
      process.kill(pid, "SIGKILL");
      killed.push(`${readFileSync(join(dir, entry), "utf8").trim()} (${entry})`);
    } catch {
      // Already gone.
    }
  }
  return killed;
}

/** A TCP port free on 127.0.0.1 right now (for binaries that cannot be told to pick one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the probe returns a value, failing with the last reason and the log's tail. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, options: { readonly timeoutMs: number; readonly process?: Started }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    if (options.process?.exited()) throw new Error(`${options.process.name} exited while waiting for ${what}:\n${tail(options.process.log)}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? last.message : "not yet";
      throw new Error(`timed out after ${String(options.timeoutMs)} ms waiting for ${what} (${reason})${options.process ? `:\n${tail(options.process.log)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The last lines of a log file. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
