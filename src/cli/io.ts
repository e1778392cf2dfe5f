/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly now: () => Date;
  /** Whether stderr is a terminal (progress output only then). */
  readonly stderrIsTty: boolean;
  /** Whether stdout may carry ANSI colours (a terminal, NO_COLOR unset); absent means never. */
  readonly colour?: boolean;
  /** The working directory (SARIF paths are relative to it); process.cwd() when absent. */
  readonly cwd?: () => string;
}

/** Exit codes shared by check and audit. */
export const EXIT = { clean: 0, denied: 1, usage: 2 } as const;

/** A command's result: the exit code main passes to process.exit. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Today's date in UTC as YYYY-MM-DD, for exemption expiry. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
