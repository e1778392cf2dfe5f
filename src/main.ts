#!/usr/bin/env node
import { runAudit } from "./cli/audit.js";
import { runCheck } from "./cli/check.js";
import { runExplain } from "./cli/explain-command.js";
import { runSuggest } from "./cli/suggest-command.js";
import { loadClusterObjects } from "./cluster/cluster-objects.js";
import { loadClusterInventory } from "./cluster/cluster-inventory.js";
import { wantsColour } from "./cli/colour.js";
import { EXIT, type CliIo, type ExitCode } from "./cli/io.js";
import { runRules } from "./cli/rules-command.js";
import { runServe } from "./cli/serve.js";
import { runVap } from "./cli/vap-command.js";
import { readAllStdin } from "./manifests/read-inputs.js";
import { VERSION } from "./version.js";

const USAGE = `netguard ${VERSION}: Kubernetes network rules, enforced at admission, in CI and over a live cluster.

Usage:
  netguard serve [--cert-dir DIR | --dev] [options]   run the HTTPS validating admission webhook
  netguard check [options] PATH... | -                check manifest files (CI)
  netguard audit [options]                            check what already runs in a cluster
  netguard explain [options] (PATH... | --cluster) KIND/NAME   which policies cover it, and each rule's verdict
  netguard suggest [options] (PATH... | --cluster)    NetworkPolicies that would cover what ingress-policy finds
  netguard rules [--output text|json|markdown]        list the rules
  netguard vap [--policy FILE] [options]              print host-network, host-port and tcp-only as ValidatingAdmissionPolicies

Run "netguard COMMAND --help" for a command's options.
`;

/** Picks the subcommand; the only place that exits the process. */
async function main(argv: readonly string[]): Promise<ExitCode> {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAllStdin(process.stdin),
    now: () => new Date(),
    stderrIsTty: process.stderr.isTTY,
    colour: wantsColour(process.stdout.isTTY, process.env),
  };
  const [command, ...rest] = argv;
  switch (command) {
    case "check":
      return runCheck(rest, { io, loadClusterInventory });
    case "audit":
      return runAudit(rest, { io });
    case "explain":
      return runExplain(rest, { io, loadClusterObjects });
    case "suggest":
      return runSuggest(rest, { io, loadClusterObjects });
    case "serve":
      return runServe(rest, io);
    case "rules":
      return runRules(rest, io);
    case "vap":
      return runVap(rest, io);
    case "--version":
    case "version":
      io.stdout(`${VERSION}\n`);
      return EXIT.clean;
    case undefined:
    case "--help":
    case "-h":
    case "help":
      io.stdout(USAGE);
      return command === undefined ? EXIT.usage : EXIT.clean;
    default:
      io.stderr(`netguard: unknown command "${command}"\n\n${USAGE}`);
      return EXIT.usage;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // serve has drained and closed what it opened; a keep-alive socket or a watch a client library
    // still holds must not keep the pod alive until the kubelet's SIGKILL. Log lines flush on exit.
    if (process.argv[2] === "serve") process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`netguard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
