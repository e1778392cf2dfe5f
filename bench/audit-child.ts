import { runAudit } from "../src/cli/audit.js";
import { loadKubeConfig } from "../src/cluster/kubeconfig.js";
import { auditedKinds, listPages } from "../src/cluster/list-cluster.js";

/** Runs `netguard audit` (or only its listing, page by page, the baseline) in this process and reports time and peak RSS. */
const [mode, kubeconfig] = process.argv.slice(2);
const started = performance.now();
let objects = 0;
if (mode === "list") {
  const config = loadKubeConfig({ kubeconfig, context: undefined });
  if (!config.ok) throw new Error(config.error);
  for (const kind of auditedKinds(config.value)) {
    for await (const page of listPages(kind, undefined)) if (page.ok) objects += page.items.length;
  }
} else {
  // Counted, not kept: what netguard writes would otherwise stay in this process and count as its memory.
  let bytes = 0;
  await runAudit(["--kubeconfig", kubeconfig ?? "", "--output", "json"], {
    io: {
      stdout: (text) => {
        bytes += Buffer.byteLength(text);
      },
      stderr: () => undefined,
      readStdin: () => Promise.resolve(""),
      now: () => new Date(),
      stderrIsTty: false,
    },
  });
  objects = bytes;
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, maxRssMiB: process.resourceUsage().maxRSS / 1024, [mode === "list" ? "objects" : "bytes"]: objects })}\n`);
