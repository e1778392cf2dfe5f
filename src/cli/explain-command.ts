import type { ClusterObjectsLoader } from "../cluster/cluster-objects.js";
import { explain } from "../engine/explain.js";
import { isNetworkPolicy } from "../kube/network-policy.js";
import { isCalicoTier } from "../kube/coverage/read-coverage-policy.js";
import { sourceOf } from "../kube/coverage/source.js";
import { renderExplanationJson, renderExplanationText } from "../report/explanation.js";
import { printable } from "../report/printable.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { VERSION } from "../version.js";
import { CLUSTER_FLAGS, parseCommandArgs, usageError } from "./command-args.js";
import { gatherObjects, inputChoiceError, sayNotes } from "./gather-objects.js";
import { EXIT, isoDay, type CliIo, type ExitCode } from "./io.js";
import { loadPolicy } from "./load-policy.js";
import { findTarget, parseTarget } from "./target.js";

/** Usage text of `netguard explain`. */
export const EXPLAIN_USAGE = `Usage: netguard explain [--policy FILE] [-n NS] [--output text|json] PATH... KIND/NAME
       netguard explain [--policy FILE] [-n NS] [--output text|json] --cluster [--kubeconfig FILE] [--context NAME] KIND/NAME

Which policy covers this Pod (or workload), and what netguard decides for it: every policy of every
coverage source that selects it, whether each isolates ingress, what its rules admit, whether ingress
is open to every source on every port, the near misses, the exemptions and overrides that apply, and
each rule's verdict.

  --policy FILE      policy file (default: built-in policy)
  -n, --namespace NS the object's namespace, and that of objects naming none (default: default)
  --output FORMAT    text (default) or json (schema/explain.schema.json)
  --cluster          read the object and the policies from the cluster instead of files
  --kubeconfig FILE  kubeconfig for --cluster (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME     kubeconfig context for --cluster

Exit codes: 0 explained, 2 usage error, unreadable input, or no such object.
`;

/** Dependencies of `netguard explain`. */
export interface ExplainDeps {
  readonly io: CliIo;
  readonly loadClusterObjects?: ClusterObjectsLoader;
}

/** `netguard explain`: one object's coverage and verdicts, from files or the cluster. */
export async function runExplain(argv: readonly string[], deps: ExplainDeps): Promise<ExitCode> {
  const { io } = deps;
  const parsed = parseCommandArgs("explain", EXPLAIN_USAGE, {
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: "string" },
      namespace: { type: "string", short: "n", default: "default" },
      output: { type: "string", short: "o", default: "text" },
      ...CLUSTER_FLAGS,
    },
  }, io);
  if (!parsed.ok) return parsed.exit;
  const { values, positionals } = parsed.args;
  const output = values.output;
  if (output !== "text" && output !== "json") return usageError(io, "explain", `--output must be text or json, not "${printable(output)}"`);
  const targetText = positionals.at(-1);
  if (targetText === undefined) return usageError(io, "explain", "name the object: KIND/NAME (deployment/web, pod/debug)");
  const target = parseTarget(targetText);
  if (!target.ok) return usageError(io, "explain", target.error);
  const paths = positionals.slice(0, -1);
  const choice = inputChoiceError(values.cluster, paths.length, "no input: name files, directories or - for stdin before KIND/NAME, or use --cluster");
  if (choice !== undefined) return usageError(io, "explain", choice);
  const policy = await loadPolicy(values.policy);
  if (!policy.ok) return usageError(io, "explain", policy.error);
  const namespace = values.namespace;
  const sources = policy.value.rules["ingress-policy"].sources;
  const origin = values.cluster
    ? { kind: "cluster" as const, kubeconfig: values.kubeconfig, context: values.context, namespace, kinds: [target.value.kind] }
    : { kind: "paths" as const, paths };
  const gathered = await gatherObjects(origin, namespace, sources, io, deps.loadClusterObjects);
  if (!gathered.ok) return usageError(io, "explain", values.cluster ? `--cluster: ${gathered.error}` : gathered.error);
  sayNotes("explain", gathered.notes, gathered.problems, io);
  const found = findTarget(gathered.objects, target.value, namespace);
  if (!found.ok) return usageError(io, "explain", found.error);
  const policyObjects = gathered.objects.filter((object) => isNetworkPolicy(object) || isCalicoTier(object) || sourceOf(object.ref.apiVersion, object.ref.kind) !== undefined);
  const explanation = explain(found.value, { rules: BUILTIN_RULES, policy: policy.value, inventory: gathered.inventory, today: isoDay(io.now()), defaultNamespace: namespace, policyObjects });
  sayNotes("explain", [], explanation.problems, io);
  io.stdout(output === "json" ? renderExplanationJson(explanation, VERSION) : renderExplanationText(explanation));
  return gathered.problems.length > 0 || explanation.problems.length > 0 ? EXIT.usage : EXIT.clean;
}
