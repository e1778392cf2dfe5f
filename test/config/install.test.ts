import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as certManager from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { VALIDATE_PATH } from "../../src/webhook/serving/server.js";
import { check } from "../cli/run-cli.js";
import { at, hasKubectl, kustomize, list, named, one } from "./render.js";
import { unknownFields } from "./strict-fields.js";

const ROOT = join(import.meta.dirname, "..", "..");
const OVERLAY = join(ROOT, "test", "fixtures", "overlay");

if (!hasKubectl()) console.warn("skipped: kubectl (with built-in kustomize) is not on PATH");

/** The wiring every install must have, whatever namespace and prefix an overlay chose. */
function assertWiring(objects: readonly unknown[], namespace: string, prefix: string): void {
  const service = one(objects, "Service", "webhook-service");
  const certificate = one(objects, "Certificate", "serving-cert");
  const deployment = one(objects, "Deployment", "webhook");
  const config = one(objects, "ValidatingWebhookConfiguration");
  const policy = one(objects, "NetworkPolicy");
  const account = one(objects, "ServiceAccount");
  const binding = one(objects, "ClusterRoleBinding");
  const role = one(objects, "ClusterRole", `${prefix}webhook`);
  const pod = at(deployment, "spec.template.spec");
  const container = at(pod, "containers.0");
  const args = list(container, "args");
  const serviceName = `${prefix}webhook-service`;

  expect(at(service, "metadata")).toMatchObject({ name: serviceName, namespace });
  expect(at(certificate, "spec.dnsNames")).toEqual([`${serviceName}.${namespace}.svc`, `${serviceName}.${namespace}.svc.cluster.local`]);
  expect(at(config, "metadata.annotations")).toMatchObject({
    "cert-manager.io/inject-ca-from": `${String(at(certificate, "metadata.namespace"))}/${String(at(certificate, "metadata.name"))}`,
  });
  expect(at(named(pod, "volumes", "tls"), "secret.secretName")).toBe(at(certificate, "spec.secretName"));
  const tlsMount = named(container, "volumeMounts", "tls");
  expect(at(tlsMount, "subPath")).toBeUndefined();
  expect(args).toContain(`--cert-dir=${String(at(tlsMount, "mountPath"))}`);

  // Container port ↔ Service targetPort ↔ NetworkPolicy port ↔ the server's --port.
  const webhookPort = at(named(container, "ports", "webhook"), "containerPort");
  const probePort = at(named(container, "ports", "probes"), "containerPort");
  expect(at(service, "spec.ports.0")).toMatchObject({ port: 443, targetPort: "webhook" });
  expect(args).toContain(`--port=${String(webhookPort)}`);
  expect(args).toContain(`--health-port=${String(probePort)}`);
  const policyPorts = list(policy, "spec.ingress.0.ports").map((p) => at(p, "port"));
  expect(policyPorts).toContain(webhookPort);
  expect(policyPorts).toContain(probePort);
  expect(at(container, "readinessProbe.httpGet")).toEqual({ path: "/readyz", port: "probes" });
  expect(at(container, "livenessProbe.httpGet")).toEqual({ path: "/healthz", port: "probes" });
  expect(at(service, "spec.selector")).toEqual(at(deployment, "spec.template.metadata.labels"));

  for (const webhook of list(config, "webhooks")) {
    expect(at(webhook, "clientConfig.service")).toEqual({ name: serviceName, namespace, path: VALIDATE_PATH, port: 443 });
    expect(webhook).toMatchObject({ sideEffects: "None", admissionReviewVersions: ["v1"], failurePolicy: "Fail", matchPolicy: "Equivalent", timeoutSeconds: 3 });
    expect(at(webhook, "namespaceSelector.matchExpressions")).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", "kube-node-lease", namespace] },
      { key: "netguard.io/ignore", operator: "DoesNotExist" },
    ]);
    // NetworkPolicy deletes are guarded (the Pods they would strand); every other rule judges creates and updates.
    for (const rule of list(webhook, "rules")) expect(at(rule, "operations")).toEqual(list(rule, "resources").includes("networkpolicies") ? ["CREATE", "UPDATE", "DELETE"] : ["CREATE", "UPDATE"]);
  }
  // Teardowns never wait on the webhook: the namespace controller's and the garbage collector's deletes skip it.
  const network = list(config, "webhooks").find((w) => at(w, "name") === "network.netguard.io");
  expect(String(at(network, "matchConditions.0.expression"))).toContain("'system:serviceaccount:kube-system:namespace-controller'");
  expect(String(at(network, "matchConditions.0.expression"))).toContain("'system:serviceaccount:kube-system:generic-garbage-collector'");
  const resources = list(config, "webhooks").flatMap((w) => list(w, "rules").flatMap((r) => list(r, "resources")));
  expect(resources.map(String).sort()).toEqual(
    ["cronjobs", "daemonsets", "deployments", "jobs", "networkpolicies", "podtemplates", "pods", "pods/ephemeralcontainers", "replicasets", "replicationcontrollers", "services", "statefulsets"].sort(),
  );

  expect(at(pod, "serviceAccountName")).toBe(at(account, "metadata.name"));
  expect(at(binding, "subjects")).toEqual([{ kind: "ServiceAccount", name: at(account, "metadata.name"), namespace }]);
  expect(at(binding, "roleRef.name")).toBe(at(role, "metadata.name"));
  // Reads only: NetworkPolicies, and (get) the controllers whose exemptions it follows; the wake-up's patch is opt-in.
  expect(at(role, "rules")).toEqual([
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["replicasets", "statefulsets", "daemonsets", "deployments"], verbs: ["get"] },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["get"] },
    { apiGroups: [""], resources: ["replicationcontrollers"], verbs: ["get"] },
    { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  ]);

  const issuers = objects.filter((o) => at(o, "kind") === "Issuer");
  for (const cert of objects.filter((o) => at(o, "kind") === "Certificate")) expect(issuers.map((i) => at(i, "metadata.name"))).toContain(at(cert, "spec.issuerRef.name"));
  const caIssuer = issuers.find((i) => at(i, "spec.ca") !== undefined);
  expect(at(one(objects, "Certificate", "-ca"), "spec.secretName")).toBe(at(caIssuer, "spec.ca.secretName"));
  expect(at(certificate, "spec.issuerRef.name")).toBe(at(caIssuer, "metadata.name"));
}

describe.skipIf(!hasKubectl())("install manifests (kubectl kustomize)", () => {
  const rendered = hasKubectl() ? kustomize(ROOT) : { text: "", objects: [] };

  it("wire the Service, certificate, webhook, ports and RBAC together", () => {
    assertWiring(rendered.objects, "netguard-system", "netguard-");
  });

  it("keep the wiring under an overlay that changes the namespace and adds a namePrefix", () => {
    assertWiring(kustomize(OVERLAY).objects, "platform-guard", "acme-netguard-");
  });

  it("run the webhook hardened: non-root, read-only root, no capabilities, RuntimeDefault seccomp, 2 spread replicas, a PDB", () => {
    const deployment = one(rendered.objects, "Deployment");
    expect(at(deployment, "spec.replicas")).toBe(2);
    expect(at(deployment, "spec.template.spec.topologySpreadConstraints.0")).toMatchObject({ topologyKey: "kubernetes.io/hostname", maxSkew: 1 });
    expect(at(deployment, "spec.template.spec.securityContext")).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(at(deployment, "spec.template.spec.containers.0.securityContext")).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(at(deployment, "spec.template.spec.containers.0.resources.limits.memory")).toBeDefined();
    expect(at(one(rendered.objects, "PodDisruptionBudget"), "spec.minAvailable")).toBe(1);
  });

  it("sort Namespaces and NetworkPolicies before workloads", () => {
    const kinds = rendered.objects.map((o) => at(o, "kind"));
    expect(kinds.indexOf("Namespace")).toBe(0);
    expect(kinds.indexOf("NetworkPolicy")).toBeLessThan(kinds.indexOf("Deployment"));
    expect(kinds.at(-1)).toBe("ValidatingWebhookConfiguration");
  });

  it("pass netguard check with the default policy", async () => {
    const run = await check(["--output", "json", "-"], rendered.text);
    expect(JSON.parse(run.stdout)).toMatchObject({ findings: [], problems: [] });
    expect(run.code).toBe(0);
  });

  it("validate against the Kubernetes and cert-manager schemas, with no unknown fields", () => {
    const models: Record<string, unknown> = certManager;
    for (const object of rendered.objects) {
      const where = `${String(at(object, "kind"))} ${String(at(object, "metadata.name"))}`;
      expect(unknownFields(object as Record<string, unknown>), where).toEqual([]);
      if (String(at(object, "apiVersion")).startsWith("cert-manager.io/")) {
        const Model = models[String(at(object, "kind"))] as (new (data: unknown) => { validate(): void }) | undefined;
        expect(Model, where).toBeDefined();
        if (Model) expect(() => new Model(object).validate(), where).not.toThrow();
      }
    }
  });

  it("the strict field check catches a misspelled field", () => {
    const deployment = structuredClone(one(rendered.objects, "Deployment")) as Record<string, unknown>;
    Object.assign(at(deployment, "spec.template.spec.containers.0") as object, { imagee: "typo" });
    expect(unknownFields(deployment)).toEqual(["spec.template.spec.containers[0].imagee"]);
    const certificate = structuredClone(one(rendered.objects, "Certificate", "serving-cert")) as Record<string, unknown>;
    Object.assign(at(certificate, "spec") as object, { dnsName: ["x"] });
    expect(unknownFields(certificate)).toEqual(["spec.dnsName"]);
  });
});
