import { runCheck, type CheckDeps } from "../../src/cli/check.js";
import type { CliIo } from "../../src/cli/io.js";

/** Captured output of one in-process command run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An io that records output, with a fixed clock and the given stdin. */
export function fakeIo(stdin = ""): { io: CliIo; out: () => { stdout: string; stderr: string } } {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(stdin),
    now: () => new Date("2026-11-24T12:00:00Z"),
    stderrIsTty: false,
    // A fixed checkout root, so SARIF's %SRCROOT% is the same wherever the tests run.
    cwd: () => "/repo",
  };
  return { io, out: () => ({ stdout, stderr }) };
}

/** Runs `netguard check` in-process. */
export async function check(args: string[], stdin = "", extra: Partial<CheckDeps> = {}): Promise<CliRun> {
  const { io, out } = fakeIo(stdin);
  const code = await runCheck(args, { io, ...extra });
  return { code, ...out() };
}
