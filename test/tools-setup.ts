import { findOrBuild, HELM, PROMTOOL, type GoTool } from "./support/go-tools.js";

/** The tools the tests run, each handed to the workers in an environment variable. */
const TOOLS: readonly { readonly tool: GoTool; readonly env: string; readonly tests: string }[] = [
  { tool: HELM, env: "NETGUARD_HELM", tests: "the chart tests" },
  { tool: PROMTOOL, env: "NETGUARD_PROMTOOL", tests: "the alert rule tests" },
];

/**
 * Finds or builds each tool once per run, before any worker starts (workers inherit its variable). Without
 * Go their tests skip with one line; under CI=true that is a failure, never a silent skip.
 */
export default function setup(): void {
  const log = (line: string): void => void process.stderr.write(`tools: ${line}\n`);
  for (const { tool, env, tests } of TOOLS) {
    const found = findOrBuild(tool, log);
    if (found.ok) {
      process.env[env] = found.path;
      continue;
    }
    if (process.env["CI"] === "true") throw new Error(`tools: cannot provide ${tool.name} under CI: ${found.reason}`);
    process.env[`${env}_SKIP`] = found.reason;
    log(`skipping ${tests} (${found.reason}): install Go >= 1.26 (${tool.name} is built from the Go module proxy)`);
  }
}
