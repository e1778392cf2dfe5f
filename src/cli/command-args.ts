import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, type CliIo, type ExitCode } from "./io.js";

/** What node:util parseArgs returns for a given option table. */
export type CommandArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Parses a command's flags; `--help` prints its usage, a bad flag prints the error and the usage (exit 2). */
export function parseCommandArgs<T extends ParseArgsConfig & { args: string[] }>(
  command: string,
  usage: string,
  config: T,
  io: CliIo,
): { ok: true; args: CommandArgs<T> } | { ok: false; exit: ExitCode } {
  if (config.args.includes("--help") || config.args.includes("-h")) {
    io.stdout(usage);
    return { ok: false, exit: EXIT.clean };
  }
  try {
    return { ok: true, args: parseArgs(config) };
  } catch (error) {
    io.stderr(`netguard ${command}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return { ok: false, exit: EXIT.usage };
  }
}

/** Prints "netguard COMMAND: message" and gives the usage-error exit code. */
export function usageError(io: CliIo, command: string, message: string): ExitCode {
  io.stderr(`netguard ${command}: ${message}\n`);
  return EXIT.usage;
}

/** The flags of the commands that read the cluster instead of files (check, explain, suggest). */
export const CLUSTER_FLAGS = { cluster: { type: "boolean", default: false }, kubeconfig: { type: "string" }, context: { type: "string" } } as const;
