import { KubernetesObjectApi, type KubeConfig } from "@kubernetes/client-node";
import { toKubeObject } from "../kube/object.js";
import { controllerOf, ownerFacts, type OwnerFacts } from "../kube/owners.js";

/** Reads an object's controllers from the API server, nearest first, at most three levels, bounded in time. */
export type OwnerReader = (namespace: string, body: unknown) => Promise<OwnerFacts[]>;

/** A reader over the API (get on the controller kinds only), answering what it could read by the deadline. */
export function createOwnerReader(config: KubeConfig, timeoutMs: number): OwnerReader {
  const api = KubernetesObjectApi.makeApiClient(config);
  return async (namespace, body) => {
    const found: OwnerFacts[] = [];
    const deadline = Date.now() + timeoutMs;
    let claimed = controllerOf(body);
    while (claimed !== undefined && found.length < 3 && Date.now() < deadline) {
      const reference = claimed;
      let read: unknown;
      let timer: NodeJS.Timeout | undefined;
      try {
        read = await Promise.race([
          api.read({ apiVersion: reference.apiVersion, kind: reference.kind, metadata: { name: reference.name, namespace } }),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("timeout")), Math.max(1, deadline - Date.now()));
          }),
        ]);
      } catch {
        // Gone, forbidden or slow: the chain ends here and no exemption is borrowed through it.
        break;
      } finally {
        clearTimeout(timer);
      }
      const object = toKubeObject({ ...(read as Record<string, unknown>), apiVersion: reference.apiVersion, kind: reference.kind }, { namespace });
      if (!object.ok) break;
      const facts = ownerFacts(object.value);
      found.push(facts);
      claimed = facts.controller;
    }
    return found;
  };
}
