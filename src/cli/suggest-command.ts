import type { ClusterObjectsLoader } from "../cluster/cluster-objects.js";
import { CORE_SOURCE } from "../engine/coverage.js";
import { evaluate } from "../engine/evaluate.js";
import { POD_BEARING_KINDS } from "../kube/pod-template.js";
import { renderSuggestions } from "../report/suggestions-yaml.js";
import { BUILTIN_RULES } from "../rules/index.js";
import { suggestPolicies } from "../suggest/suggest-policies.js";
import { CLUSTER_FLAGS, parseCommandArgs, usageError } from "./command-args.js";
import { gatherObjects, inputChoiceError, sayNotes } from "./gather-objects.js";
import { EXIT, isoDay, type CliIo, type ExitCode } from "./io.js";
import { loadPolicy } from "./load-policy.js";

/** Usage text of `netguard suggest`. */
export const SUGGEST_USAGE = `Usage: netguard suggest [--policy FILE] [-n NS] PATH... | -
       netguard suggest [--policy FILE] [-n NS] --cluster [--kubeconfig FILE] [--context NAME]

What do I add? For every workload or Pod with an ingress-policy finding, a NetworkPolicy that would
cover it: its pods selected by the workload's selector (or its pod labels), Ingress only, admitting
Pods of the same namespace on the container ports it declares, plus what the input says of the
Services that reach it. YAML on stdout, one document per workload, each with a comment saying what it
is for and what to widen. Never a policy open to every source on every port.

  --policy FILE      policy file (default: built-in policy)
  -n, --namespace NS files: the namespace of objects naming none (default: default);
                     --cluster: only this namespace (default: every namespace)
  --cluster          read the workloads and policies from the cluster instead of files
  --kubeconfig FILE  kubeconfig for --cluster (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME     kubeconfig context for --cluster

Exit codes: 0 suggestions printed (or none needed), 2 usage error or unreadable input.
`;

/** Dependencies of `netguard suggest`. */
export interface SuggestDeps {
  readonly io: CliIo;
  readonly loadClusterObjects?: ClusterObjectsLoader;
}

/** `netguard suggest`: NetworkPolicies that would cover what ingress-policy finds uncovered. */
export async function runSuggest(argv: readonly string[], deps: SuggestDeps): Promise<ExitCode> {
  const { io } = deps;
  const parsed = parseCommandArgs("suggest", SUGGEST_USAGE, {
    args: [...argv],
    allowPositionals: true,
    options: {
      policy: { type: "string" },
      namespace: { type: "string", short: "n" },
      ...CLUSTER_FLAGS,
    },
  }, io);
  if (!parsed.ok) return parsed.exit;
  const { values, positionals } = parsed.args;
  const choice = inputChoiceError(values.cluster, positionals.length, "no input: name files, directories or - for stdin, or use --cluster");
  if (choice !== undefined) return usageError(io, "suggest", choice);
  const policy = await loadPolicy(values.policy);
  if (!policy.ok) return usageError(io, "suggest", policy.error);
  const settings = policy.value.rules["ingress-policy"];
  if (settings.action === "off") return usageError(io, "suggest", "rules.ingress-policy is off in this policy: there is no coverage to suggest for");
  if (!settings.sources.includes(CORE_SOURCE)) io.stderr(`netguard suggest: rules.ingress-policy.sources does not list ${CORE_SOURCE}: the NetworkPolicies suggested here would not count until it does\n`);
  const namespace = values.namespace ?? "default";
  const origin = values.cluster
    ? { kind: "cluster" as const, kubeconfig: values.kubeconfig, context: values.context, namespace: values.namespace, kinds: [...POD_BEARING_KINDS, "Service"] }
    : { kind: "paths" as const, paths: positionals };
  const gathered = await gatherObjects(origin, namespace, settings.sources, io, deps.loadClusterObjects);
  if (!gathered.ok) return usageError(io, "suggest", values.cluster ? `--cluster: ${gathered.error}` : gathered.error);
  sayNotes("suggest", gathered.notes, gathered.problems, io);
  // Every rule but ingress-policy is left out: only its findings are answered here, and an override
  // that turns it off for a namespace still means nothing to suggest there.
  const report = evaluate(gathered.objects, {
    rules: BUILTIN_RULES.filter((rule) => rule.id === "ingress-policy"),
    policy: policy.value,
    inventory: gathered.inventory,
    surface: "manifests",
    today: isoDay(io.now()),
    defaultNamespace: namespace,
  });
  sayNotes("suggest", [], report.problems, io);
  const suggestions = suggestPolicies(gathered.objects, report.findings, namespace);
  if (suggestions.length === 0) io.stderr("netguard suggest: nothing to add: no workload has an ingress-policy finding\n");
  io.stdout(renderSuggestions(suggestions));
  return gathered.problems.length > 0 || report.problems.length > 0 ? EXIT.usage : EXIT.clean;
}
