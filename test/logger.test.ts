import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const LOGGER = join(import.meta.dirname, "..", "dist", "src", "logger.js");

it("stdout logging through pino's batched destination loses no line and keeps their order when the process exits", () => {
  // A child process logs 2,000 lines and exits at once: the batch pending at exit must still be written.
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)}; const logger = createLogger("info"); for (let i = 0; i < 2000; i += 1) logger.info({ i }, "line"); process.exit(0);`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  const lines = run.stdout.trim().split("\n").map((text) => (JSON.parse(text) as { i: number }).i);
  expect(lines).toEqual(Array.from({ length: 2000 }, (_, i) => i));
});
