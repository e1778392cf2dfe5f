/** The node flags a Dockerfile's ENTRYPOINT (exec form) passes before the script. */
export function imageNodeFlags(dockerfile: string): string[] {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  const words = JSON.parse(entrypoint ?? "[]") as string[];
  return words.slice(1, -1);
}
