import { toKubeObject, type KubeObject } from "../src/kube/object.js";
import { DEFAULT_POLICY, type Policy } from "../src/policy/policy.js";

/** Wraps a literal manifest as a KubeObject, failing the test if the envelope is wrong. */
export function kube(value: unknown, namespace = "default"): KubeObject {
  const parsed = toKubeObject(value, { namespace });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** A container literal. */
export function container(name: string, ports: Record<string, unknown>[] = []): Record<string, unknown> {
  return { name, image: "example/app:1", ports };
}

/** A pod spec literal. */
export function podSpec(extra: Record<string, unknown> = {}, containers = [container("app", [{ containerPort: 8080 }])]): Record<string, unknown> {
  return { containers, ...extra };
}

/** A Pod manifest. */
export function pod(name: string, spec: Record<string, unknown> = podSpec(), labels: Record<string, string> = { app: name }): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", labels }, spec };
}

/** A Deployment manifest whose template carries the labels and spec. */
export function deployment(name: string, spec: Record<string, unknown> = podSpec(), labels: Record<string, string> = { app: name }): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
  };
}

/** A NetworkPolicy manifest. */
export function networkPolicy(name: string, spec: Record<string, unknown>, namespace = "default"): Record<string, unknown> {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

/** A Service manifest. */
export function service(name: string, ports: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { selector: { app: name }, ports } };
}

/** The default policy with some rule settings replaced. */
export function policyWith(rules: Partial<{ [K in keyof Policy["rules"]]: Partial<Policy["rules"][K]> }>, extra: Partial<Policy> = {}): Policy {
  const merged = { ...DEFAULT_POLICY.rules };
  for (const [id, settings] of Object.entries(rules)) {
    Object.assign(merged, { [id]: { ...DEFAULT_POLICY.rules[id as keyof Policy["rules"]], ...settings } });
  }
  return { ...DEFAULT_POLICY, ...extra, rules: merged };
}
