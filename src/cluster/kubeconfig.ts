import { KubeConfig } from "@kubernetes/client-node";

/** Where to find the cluster: an explicit file, else $KUBECONFIG / ~/.kube/config / in-cluster. */
export interface KubeconfigOptions {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
}

/** Loads a KubeConfig; errors (no file, unknown context, no cluster) come back as text. */
export function loadKubeConfig(options: KubeconfigOptions): { ok: true; value: KubeConfig } | { ok: false; error: string } {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
    if (options.context !== undefined) {
      if (!config.getContexts().some((context) => context.name === options.context)) {
        return { ok: false, error: `context "${options.context}" is not in the kubeconfig` };
      }
      config.setCurrentContext(options.context);
    }
  } catch (error) {
    return { ok: false, error: `cannot load kubeconfig: ${error instanceof Error ? error.message : String(error)}` };
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) return { ok: false, error: "the kubeconfig names no current cluster (set current-context or pass --context)" };
  return { ok: true, value: config };
}
