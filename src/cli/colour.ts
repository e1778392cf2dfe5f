/** Whether to colour output for a person: only on a terminal, never with NO_COLOR set to anything (no-color.org) or TERM=dumb. */
export function wantsColour(isTerminal: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (!isTerminal) return false;
  if ((env["NO_COLOR"] ?? "") !== "") return false;
  return env["TERM"] !== "dumb";
}
