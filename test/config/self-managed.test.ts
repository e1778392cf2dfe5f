import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, hasKubectl, kustomize, list, one } from "./render.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe.skipIf(!hasKubectl())("config/self-managed: the install without cert-manager", () => {
  const objects = hasKubectl() ? kustomize(join(ROOT, "config", "self-managed")).objects : [];

  it("has no cert-manager object or annotation, and ships its Secret empty", () => {
    expect(objects.filter((o) => String(at(o, "apiVersion")).startsWith("cert-manager.io"))).toEqual([]);
    expect(at(one(objects, "ValidatingWebhookConfiguration"), "metadata.annotations")).toBeUndefined();
    const secret = one(objects, "Secret", "webhook-server-cert");
    expect(at(secret, "data")).toBeUndefined();
  });

  it("passes serve the names its roles grant, and serves from an in-memory directory", () => {
    const deployment = one(objects, "Deployment", "webhook");
    const container = at(deployment, "spec.template.spec.containers.0");
    expect(at(container, "args")).toEqual([
      "serve",
      "--cert-dir=/etc/netguard/tls",
      "--policy=/etc/netguard/policy/policy.yaml",
      "--port=9443",
      "--health-port=8080",
      "--self-managed-certs",
      "--cert-secret=netguard-webhook-server-cert",
      "--webhook-configuration=netguard-validating-webhook",
      "--service=netguard-webhook-service",
    ]);
    expect(at(container, "env")).toEqual([{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }]);
    expect(list(deployment, "spec.template.spec.volumes").find((v) => at(v, "name") === "tls")).toEqual({ name: "tls", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    expect(at(one(objects, "Role", "certificates"), "rules")).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: ["netguard-webhook-server-cert"], verbs: ["get", "update"] }]);
    expect(at(one(objects, "ClusterRole", "netguard-certificates"), "rules")).toEqual([
      { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], resourceNames: ["netguard-validating-webhook"], verbs: ["get", "update"] },
    ]);
    expect(at(one(objects, "Secret", "webhook-server-cert"), "metadata.namespace")).toBe("netguard-system");
  });
});
