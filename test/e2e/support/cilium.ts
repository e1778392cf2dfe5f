import type { ControlPlane } from "./control-plane.js";
import { waitFor } from "./processes.js";

type CiliumKind = "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
const PLURALS: Readonly<Record<CiliumKind, string>> = { CiliumNetworkPolicy: "ciliumnetworkpolicies", CiliumClusterwideNetworkPolicy: "ciliumclusterwidenetworkpolicies" };

/** Just enough of one of Cilium's CRDs to store objects: netguard reads them, nothing enforces them here. */
export function ciliumCrd(kind: CiliumKind): string {
  const plural = PLURALS[kind];
  return JSON.stringify({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.cilium.io` },
    spec: {
      group: "cilium.io",
      scope: kind === "CiliumNetworkPolicy" ? "Namespaced" : "Cluster",
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [{ name: "v2", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  });
}

/** Installs Cilium's CRDs of these kinds and waits until the API server serves them. */
export async function installCiliumCrds(plane: ControlPlane, kinds: readonly CiliumKind[]): Promise<void> {
  for (const kind of kinds) {
    const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: ciliumCrd(kind) });
    if (applied.code !== 0) throw new Error(`installing the ${kind} CRD: ${applied.stderr}`);
    const established = await plane.kubectl(["wait", "--for=condition=Established", `crd/${PLURALS[kind]}.cilium.io`, "--timeout=30s"]);
    if (established.code !== 0) throw new Error(`the ${kind} CRD is not established: ${established.stderr}`);
  }
  // Established is not yet served everywhere: a list right after can still get 404 for a moment.
  for (const kind of kinds) {
    const resource = `${PLURALS[kind]}.cilium.io`;
    await waitFor(`${resource} to be served`, async () => ((await plane.kubectl(["get", resource, "--all-namespaces", "-o", "name"])).code === 0 ? true : undefined), { timeoutMs: 30_000 });
  }
}
