import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created = new Set<string>();

/**
 * A fresh temp directory: under the test run's own directory (test/global-setup.ts removes it when the
 * run ends), or elsewhere (the benchmark) under the system temp dir, removed when the process exits.
 */
export function tempDir(prefix: string): string {
  if (created.size === 0) process.once("exit", removeAll);
  const dir = mkdtempSync(join(process.env["NETGUARD_TEST_TMP"] ?? tmpdir(), prefix));
  created.add(dir);
  return dir;
}

function removeAll(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}
