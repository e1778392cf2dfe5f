import { inventoryFromObjects, mergeInventories } from "../engine/inventory.js";
import type { Inventory, Problem } from "../engine/types.js";
import type { ClusterObjectsLoader } from "../cluster/cluster-objects.js";
import type { CoverageSource } from "../kube/coverage/source.js";
import type { KubeObject } from "../kube/object.js";
import { createCollector } from "../manifests/collect-objects.js";
import { inputItems } from "../manifests/read-inputs.js";
import { printable } from "../report/printable.js";
import type { CliIo } from "./io.js";

/** Where explain and suggest read objects from: manifest paths (as check reads them) or the cluster. */
export type ObjectOrigin =
  | { readonly kind: "paths"; readonly paths: readonly string[] }
  | { readonly kind: "cluster"; readonly kubeconfig: string | undefined; readonly context: string | undefined; readonly namespace: string | undefined; readonly kinds: readonly string[] };

/** The objects, the inventory they make (plus what only the cluster knows), and what could not be read. */
export type Gathered = { readonly ok: true; readonly objects: readonly KubeObject[]; readonly inventory: Inventory; readonly problems: readonly Problem[]; readonly notes: readonly string[] } | { readonly ok: false; readonly error: string };

/** Reads the objects a command works on; the inventory is built from them, so every policy it counts is one it can show. */
export async function gatherObjects(origin: ObjectOrigin, defaultNamespace: string, sources: readonly CoverageSource[], io: CliIo, loadCluster: ClusterObjectsLoader | undefined): Promise<Gathered> {
  if (origin.kind === "paths") {
    const collector = createCollector(defaultNamespace);
    for await (const item of inputItems(origin.paths, io.readStdin)) {
      if (item.error) collector.addError(item.error);
      else collector.add(item.input, { mapOrigins: false });
    }
    const { objects, problems } = collector.collected;
    return { ok: true, objects, inventory: inventoryFromObjects(objects, defaultNamespace), problems, notes: [] };
  }
  if (loadCluster === undefined) return { ok: false, error: "--cluster is not available in this build" };
  const listed = await loadCluster({ kubeconfig: origin.kubeconfig, context: origin.context, namespace: origin.namespace, kinds: origin.kinds, sources });
  if (!listed.ok) return listed;
  // The cluster answers namespace labels; the listed objects answer everything else.
  const facts: Inventory = { networkPolicies: () => ({ verified: true, policies: [] }), ...listed.facts };
  return { ok: true, objects: listed.objects, inventory: mergeInventories(inventoryFromObjects(listed.objects, defaultNamespace), facts), problems: [], notes: listed.notes };
}

/** The choice between PATH... and --cluster, when it was not made exactly once: what to tell the user. */
export function inputChoiceError(cluster: boolean, paths: number, noInput: string): string | undefined {
  if (cluster === paths > 0) return cluster ? "give PATH... or --cluster, not both" : noInput;
  return undefined;
}

/** Says a command's notes and the problems of its input on stderr, each problem with its file and line. */
export function sayNotes(command: string, notes: readonly string[], problems: readonly Problem[], io: CliIo): void {
  for (const note of notes) io.stderr(`netguard ${command}: ${note}\n`);
  for (const problem of problems) {
    const where = problem.source ? `${problem.source.file}:${String(problem.source.line)}: ` : "";
    io.stderr(`${printable(`netguard ${command}: ${where}${problem.field === undefined ? "" : `${problem.field}: `}${problem.message}`)}\n`);
  }
}
