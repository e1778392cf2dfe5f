import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One temp directory for the whole run: test files make theirs inside it, and it goes when the run ends. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "netguard-test-"));
  process.env["NETGUARD_TEST_TMP"] = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true });
  };
}
