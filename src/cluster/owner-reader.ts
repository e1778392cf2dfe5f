import { KubernetesObjectApi, type KubeConfig } from "@kubernetes/client-node";
import { toKubeObject } from "../kube/object.js";
import { apiStatusOf } from "./api-error.js";
import { controllerOf, ownerFacts, type ControllerRef, type OwnerFacts } from "../kube/owners.js";

/**
 * An object's controllers as read, nearest first, and how the chain ended: at an object with no
 * controller ("top"), at a controller that no longer exists or has another uid ("gone"), or at one
 * that could not be read by the deadline, was forbidden, or is past the depth limit ("unreadable").
 */
export interface OwnerChain {
  readonly owners: readonly OwnerFacts[];
  readonly ended: "top" | "gone" | "unreadable";
}

/** Reads an object's controllers from the API server, at most three levels, bounded in time. */
export type OwnerReader = (namespace: string, body: unknown) => Promise<OwnerChain>;

/** A reader over the API (get on the controller kinds only), answering what it could read by the deadline. */
export function createOwnerReader(config: KubeConfig, timeoutMs: number): OwnerReader {
  const api = KubernetesObjectApi.makeApiClient(config);
  return async (namespace, body) => {
    const owners: OwnerFacts[] = [];
    const deadline = Date.now() + timeoutMs;
    let claimed: ControllerRef | undefined = controllerOf(body);
    while (claimed !== undefined) {
      if (owners.length >= 3 || Date.now() >= deadline) return { owners, ended: "unreadable" };
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
      } catch (error) {
        // Gone (404) ends the chain for good; forbidden or slow ends it unknown, and nothing is borrowed through it.
        return { owners, ended: apiStatusOf(error) === 404 ? "gone" : "unreadable" };
      } finally {
        clearTimeout(timer);
      }
      const object = toKubeObject({ ...(read as Record<string, unknown>), apiVersion: reference.apiVersion, kind: reference.kind }, { namespace });
      if (!object.ok) return { owners, ended: "unreadable" };
      const facts = ownerFacts(object.value);
      // A same-named object with another uid is a new one: the owner the reference meant is gone.
      if (facts.uid !== reference.uid) return { owners, ended: "gone" };
      owners.push(facts);
      claimed = facts.controller;
    }
    return { owners, ended: "top" };
  };
}
