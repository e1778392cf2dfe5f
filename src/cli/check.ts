import { readFileSync } from "node:fs";
import { evaluate, hasDenials } from "../engine/evaluate.js";
import { inventoryFromObjects, mergeInventories } from "../engine/inventory.js";
import type { Inventory, Report } from "../engine/types.js";
import type { CoverageSource } from "../kube/coverage/source.js";
import { createCollector } from "../manifests/collect-objects.js";
import { STDIN } from "../kube/object.js";
import { inputItems } from "../manifests/read-inputs.js";
import { sarifArtifacts } from "./sarif-paths.js";
import { OUTPUT_FORMATS, render } from "../report/render.js";
import { renderTextLines } from "../report/text-lines.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { VERSION } from "../version.js";
import { CLUSTER_FLAGS, parseCommandArgs, usageError } from "./command-args.js";
import { EXIT, isoDay, type CliIo, type ExitCode } from "./io.js";
import { pathsInside, sourceBoundary } from "./contained-paths.js";
import { loadPolicy } from "./load-policy.js";

/** Usage text of `netguard check`. */
export const CHECK_USAGE = `Usage: netguard check [--policy FILE] [--namespace NS] [--output text|json|sarif|junit] [-v]
                      [--stdin-name PATH] [--source-root DIR]
                      [--cluster [--kubeconfig FILE] [--context NAME]] PATH... | -

Checks Kubernetes manifests (files, directories, or - for stdin) against the network rules.
NetworkPolicies anywhere in the input count for ingress-policy coverage.

  --policy FILE      policy file (default: built-in policy, every rule denies)
  --namespace NS     namespace for objects that name none (default: default)
  --output FORMAT    text (default), json, sarif or junit
  -v, --verbose      text: each finding in full (its details, near misses and fix) instead of one line
  --stdin-name PATH  the file name findings from stdin point at (default: <stdin>)
  --source-root DIR  where helm's "# Source:" and kustomize's origin paths start: rendered input
                     points back at the repository's files (stdin: always, from . by default;
                     named files: only with --source-root); a path from the input is opened
                     and shown only inside the working directory (or DIR when DIR lies outside it)
  --cluster          also count the NetworkPolicies already in the cluster for these namespaces
  --kubeconfig FILE  kubeconfig for --cluster (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME     kubeconfig context for --cluster

Exit codes: 0 no deny findings, 1 deny findings, 2 usage error or unreadable input.
`;

/** Loads the live NetworkPolicies of some namespaces (check --cluster); injected so the command stays testable. */
export type ClusterInventoryLoader = (
  namespaces: readonly string[],
  options: { readonly kubeconfig: string | undefined; readonly context: string | undefined; readonly sources: readonly CoverageSource[] },
) => Promise<{ ok: true; inventory: Inventory; notes?: readonly string[] } | { ok: false; error: string }>;

/** Dependencies of `netguard check`. */
export interface CheckDeps {
  readonly io: CliIo;
  /** Reads a repository file a kustomize origin names (default: the file system). */
  readonly readFile?: (path: string) => string | undefined;
  readonly loadClusterInventory?: ClusterInventoryLoader;
}

/** `netguard check`: manifests in, findings out, exit code for CI. */
export async function runCheck(argv: readonly string[], deps: CheckDeps): Promise<ExitCode> {
  const { io } = deps;
  const parsed = parseCommandArgs("check", CHECK_USAGE, {
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: "string" },
      namespace: { type: "string", default: "default" },
      output: { type: "string", short: "o", default: "text" },
      ...CLUSTER_FLAGS,
      "stdin-name": { type: "string" },
      "source-root": { type: "string" },
      verbose: { type: "boolean", short: "v", default: false },
    },
  }, io);
  if (!parsed.ok) return parsed.exit;
  const { args } = parsed;
  const format = OUTPUT_FORMATS.find((candidate) => candidate === args.values.output);
  if (format === undefined) {
    return usageError(io, "check", `--output must be one of ${OUTPUT_FORMATS.join(", ")}, not "${args.values.output}"`);
  }
  if (args.positionals.length === 0) {
    io.stderr(`netguard check: no input: name files, directories or - for stdin\n\n${CHECK_USAGE}`);
    return EXIT.usage;
  }
  const policy = await loadPolicy(args.values.policy);
  if (!policy.ok) {
    return usageError(io, "check", policy.error);
  }
  const namespace = args.values.namespace;
  const stdinName = args.values["stdin-name"];
  const sourceRoot = args.values["source-root"];
  const cwd = io.cwd?.() ?? process.cwd();
  const outside = pathsInside(sourceBoundary(sourceRoot ?? ".", cwd), cwd);
  const collector = createCollector(namespace, { sourceRoot: sourceRoot ?? ".", readFile: deps.readFile ?? readTextFile, outside });
  // File by file: each file's text is parsed and let go before the next is read.
  for await (const item of inputItems(args.positionals, io.readStdin)) {
    if (item.error) collector.addError(item.error);
    // A named file is reported as itself (a committed render is a file of its own) unless --source-root asks to map it.
    else if (item.input.file === STDIN) collector.add(stdinName === undefined ? item.input : { ...item.input, file: stdinName });
    else collector.add(item.input, { mapOrigins: sourceRoot !== undefined });
  }
  const collected = collector.collected;
  let inventory = inventoryFromObjects(collected.objects, namespace);
  if (args.values.cluster) {
    if (deps.loadClusterInventory === undefined) {
      return usageError(io, "check", "--cluster is not available in this build");
    }
    const namespaces = [...new Set(collected.objects.map((object) => object.ref.namespace).filter((ns): ns is string => ns !== undefined))];
    const cluster = await deps.loadClusterInventory(namespaces, { kubeconfig: args.values.kubeconfig, context: args.values.context, sources: policy.value.rules["ingress-policy"].sources });
    if (!cluster.ok) {
      return usageError(io, "check", `--cluster: ${cluster.error}`);
    }
    for (const note of cluster.notes ?? []) io.stderr(`netguard check: --cluster: ${note}\n`);
    inventory = mergeInventories(inventory, cluster.inventory);
  }
  const evaluated = evaluate(collected.objects, {
    rules: BUILTIN_RULES,
    policy: policy.value,
    inventory,
    surface: "manifests",
    today: isoDay(io.now()),
    defaultNamespace: namespace,
  });
  const report: Report = { ...evaluated, problems: [...collected.problems, ...evaluated.problems] };
  if (format === "sarif" && report.findings.some((finding) => finding.source?.file === STDIN)) {
    io.stderr("netguard check: findings from stdin point at no file in SARIF (code scanning rejects such results): pass --stdin-name PATH, or --source-root with helm or kustomize origin annotations\n");
  }
  const input = { report, checked: collected.objects, version: VERSION, policy: policy.value, artifacts: sarifArtifacts(io.cwd?.() ?? process.cwd()) };
  io.stdout(format === "text" && !args.values.verbose ? renderTextLines(input, { colour: io.colour === true }) : render(format, input));
  return exitCodeFor(report);
}

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** 2 when input could not be checked, else 1 when anything denies, else 0. */
export function exitCodeFor(report: Report): ExitCode {
  if (report.problems.length > 0) return EXIT.usage;
  return hasDenials(report) ? EXIT.denied : EXIT.clean;
}
