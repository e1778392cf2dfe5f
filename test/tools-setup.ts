import { findOrBuild, HELM } from "./support/go-tools.js";

/**
 * Finds or builds helm once per run, before any worker starts (workers inherit NETGUARD_HELM). Without
 * Go the chart tests skip with one line; under CI=true that is a failure, never a silent skip.
 */
export default function setup(): void {
  const log = (line: string): void => void process.stderr.write(`tools: ${line}\n`);
  const helm = findOrBuild(HELM, log);
  if (helm.ok) {
    process.env["NETGUARD_HELM"] = helm.path;
    return;
  }
  if (process.env["CI"] === "true") throw new Error(`tools: cannot provide helm under CI: ${helm.reason}`);
  process.env["NETGUARD_HELM_SKIP"] = helm.reason;
  log(`skipping the chart tests (${helm.reason}): install Go >= 1.26 (helm is built from the Go module proxy)`);
}
