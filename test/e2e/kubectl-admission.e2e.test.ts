import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const SHIPPED_POLICY = readFileSync(join(import.meta.dirname, "..", "..", "config", "policy", "policy.yaml"), "utf8");

/** netguard's texts as the API server relays them; each pinned below from a real run. */
const WEBHOOK_DENIED = 'admission webhook "workloads.netguard.io" denied the request: ';
const HOST_NETWORK = (path: string): string =>
  `[host-network] ${path}hostNetwork=true: pod uses the node's network namespace (hostNetwork=true) (fix: Remove hostNetwork: true and expose the pod through a Service; exempt node agents that truly need the node's network.)`;
const UDP_53 = (path: string): string =>
  `[tcp-only] ${path}containers[0].ports[0].protocol=UDP: container "web" port 53 uses UDP; allowed: TCP (fix: Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.)`;
const WORKLOAD_UNCOVERED = (ns: string, app: string): string =>
  `Warning: [ingress-policy] Deployment ${ns}/${app}: no NetworkPolicy with Ingress in its policyTypes selects pods labelled app=${app} in namespace "${ns}" (spec.template.metadata.labels)\n`;
/** A Deployment let in without coverage: how its denied Pods retry (no wake-up in the default install). */
const WORKLOAD_ADMITTED_UNCOVERED = (ns: string, app: string): string =>
  `${WORKLOAD_UNCOVERED(ns, app)}Warning: netguard: Pods of Deployment ${ns}/${app} are denied until their ingress coverage is in place; then "kubectl rollout restart deployment/${app} -n ${ns}" retries at once (the controller's own backoff waits up to 16 minutes)\n`;

const DEFAULT_DENY_INGRESS = (ns: string): string => JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
const plainPod = (ns: string, name: string, labels: Record<string, string> = { app: name }): string =>
  JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });

describeE2e("kubectl against a real kube-apiserver with netguard registered", () => {
  const env = useE2eEnvironment({ netguard: { policy: SHIPPED_POLICY } });
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, { cwd: FIXTURES, ...(stdin === undefined ? {} : { stdin }) });

  it("the kubectl that prints these texts (docs/testing.md names it): the machine's dispatcher picks the server's minor", async () => {
    const version = await kubectl(["version", "-o", "json"]);
    const parsed = JSON.parse(version.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect(parsed.serverVersion.gitVersion).toMatch(/^v1\.33\./);
    expect(parsed.clientVersion.gitVersion).toMatch(/^v1\.33\./);
  });

  it("denies a Deployment with hostNetwork, a UDP port and no covering policy: apply, create, apply --server-side; nothing is created", async () => {
    const ns = "e2e-deny";
    await createNamespace(env.plane(), ns);
    const message = `Deployment ${ns}/web violates netguard policy: ${HOST_NETWORK("spec.template.spec.")}; ${UDP_53("spec.template.spec.")}`;
    const fromFile = `${WORKLOAD_UNCOVERED(ns, "web")}Error from server (Forbidden): error when creating "denied-deployment-hostnetwork-udp.yaml": ${WEBHOOK_DENIED}${message}\n`;
    for (const verb of [["apply"], ["create"]]) {
      expect(await kubectl([...verb, "-n", ns, "-f", "denied-deployment-hostnetwork-udp.yaml"])).toEqual({ code: 1, stdout: "", stderr: fromFile });
    }
    // Server-side apply returns the API error as it is: no "error when creating FILE" prefix.
    expect(await kubectl(["apply", "--server-side", "-n", ns, "-f", "denied-deployment-hostnetwork-udp.yaml"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${WORKLOAD_UNCOVERED(ns, "web")}Error from server (Forbidden): ${WEBHOOK_DENIED}${message}\n`,
    });
    expect(await kubectl(["get", "deployments", "-n", ns, "-o", "name"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("--dry-run=server gives the same denial and creates nothing; a clean app's dry run passes, creates nothing, and is logged as dryRun", async () => {
    const ns = "e2e-dry-run";
    await createNamespace(env.plane(), ns);
    const denied = await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "denied-deployment-hostnetwork-udp.yaml"]);
    expect(denied).toEqual({
      code: 1,
      stdout: "",
      stderr: `${WORKLOAD_UNCOVERED(ns, "web")}Error from server (Forbidden): error when creating "denied-deployment-hostnetwork-udp.yaml": ${WEBHOOK_DENIED}Deployment ${ns}/web violates netguard policy: ${HOST_NETWORK("spec.template.spec.")}; ${UDP_53("spec.template.spec.")}\n`,
    });
    // A dry run cannot see its own file's NetworkPolicy (nothing is stored): the Deployment is warned, not denied.
    expect(await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "allowed-deployment-covered.yaml"])).toEqual({
      code: 0,
      stdout: "networkpolicy.networking.k8s.io/api-ingress created (server dry run)\ndeployment.apps/api created (server dry run)\n",
      stderr: WORKLOAD_ADMITTED_UNCOVERED(ns, "api"),
    });
    expect(await kubectl(["get", "deployments,networkpolicies", "-n", ns, "-o", "name"])).toEqual({ code: 0, stdout: "", stderr: "" });
    // Decision lines are written in batches, at least once a second.
    const logged = await waitFor("three decision lines", () => {
      const lines = env.netguard().decisions().filter((line) => line["namespace"] === ns);
      return lines.length >= 3 ? lines : undefined;
    }, { timeoutMs: 5000 });
    expect(logged.map((line) => [line["kind"], line["decision"], line["dryRun"]])).toEqual([
      ["Deployment", "deny", true],
      ["NetworkPolicy", "allow", true],
      ["Deployment", "warn", true],
    ]);
  });

  it("warn prints each finding on its own Warning line and creates; audit creates and the API server's audit event carries netguard's annotations", async () => {
    const ns = "e2e-warn-audit";
    await createNamespace(env.plane(), ns);
    await kubectl(["apply", "-f", "-"], DEFAULT_DENY_INGRESS(ns));
    await env.netguard().setPolicy("rules:\n  host-port: warn\n  tcp-only: warn\n");
    try {
      expect(await kubectl(["apply", "-n", ns, "-f", "warned-deployment-hostport.yaml"])).toEqual({
        code: 0,
        stdout: "deployment.apps/metrics created\n",
        stderr:
          `Warning: [host-port] Deployment ${ns}/metrics: container "exporter" uses hostPort 9100 (spec.template.spec.containers[0].ports[0].hostPort)\n` +
          `Warning: [tcp-only] Deployment ${ns}/metrics: container "exporter" port 8125 uses UDP; allowed: TCP (spec.template.spec.containers[0].ports[1].protocol)\n`,
      });
      await env.netguard().setPolicy("rules:\n  host-port: audit\n  tcp-only: audit\n");
      expect(await kubectl(["create", "-n", ns, "-f", "-"], readFileSync(join(FIXTURES, "warned-deployment-hostport.yaml"), "utf8").replace("name: metrics", "name: audited"))).toEqual({
        code: 0,
        stdout: "deployment.apps/audited created\n",
        stderr: "",
      });
      const event = await waitFor(
        "the audit event of the create",
        () =>
          readFileSync(env.plane().auditLog, "utf8")
            .split("\n")
            .filter((line) => line.includes('"audited"'))
            .map((line) => JSON.parse(line) as { verb: string; objectRef?: { resource?: string; name?: string }; annotations?: Record<string, string> })
            .find((entry) => entry.verb === "create" && entry.objectRef?.resource === "deployments" && entry.objectRef.name === "audited"),
        { timeoutMs: 10_000 },
      );
      expect(event.annotations?.["workloads.netguard.io/host-port"]).toBe('spec.template.spec.containers[0].ports[0].hostPort=9100: container "exporter" uses hostPort 9100');
      expect(event.annotations?.["workloads.netguard.io/tcp-only"]).toBe('spec.template.spec.containers[0].ports[1].protocol=UDP: container "exporter" port 8125 uses UDP; allowed: TCP');
    } finally {
      await env.netguard().setPolicy(SHIPPED_POLICY);
    }
  });

  it("a hostNetwork Pod with a containerPort: the API server sets hostPort itself, and netguard reports host-network once", async () => {
    const ns = "e2e-implied-hostport";
    await createNamespace(env.plane(), ns);
    await kubectl(["apply", "-f", "-"], DEFAULT_DENY_INGRESS(ns));
    expect(await kubectl(["create", "-n", ns, "-f", "denied-pod-hostnetwork-with-port.yaml"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): error when creating "denied-pod-hostnetwork-with-port.yaml": ${WEBHOOK_DENIED}Pod ${ns}/agent violates netguard policy: ${HOST_NETWORK("spec.")}\n`,
    });
    // The defaulting is the API server's: in a namespace netguard does not judge, a dry run shows the hostPort it set.
    const ignored = "e2e-implied-hostport-ignored";
    await createNamespace(env.plane(), ignored, { "netguard.io/ignore": "true" });
    expect(await kubectl(["create", "-n", ignored, "--dry-run=server", "-f", "denied-pod-hostnetwork-with-port.yaml", "-o", "jsonpath={.spec.containers[0].ports[0]}"])).toEqual({
      code: 0,
      stdout: '{"containerPort":9100,"hostPort":9100,"protocol":"TCP"}',
      stderr: "",
    });
  });

  it("a Deployment whose Pods are denied: FailedCreate events with netguard's message and the ReplicaFailure condition on the ReplicaSet", async () => {
    const ns = "e2e-failed-create";
    await createNamespace(env.plane(), ns);
    const applied = await kubectl(["apply", "-n", ns, "-f", "-"], readFileSync(join(FIXTURES, "allowed-deployment-covered.yaml"), "utf8").split("---")[1] ?? "");
    expect(applied).toEqual({ code: 0, stdout: "deployment.apps/api created\n", stderr: WORKLOAD_ADMITTED_UNCOVERED(ns, "api") });
    const event = await waitFor(
      "a FailedCreate event",
      async () => {
        const events = await kubectl(["get", "events", "-n", ns, "--field-selector", "reason=FailedCreate", "-o", "jsonpath={range .items[*]}{.type} {.involvedObject.kind} {.message}{\"\\n\"}{end}"]);
        return events.stdout.split("\n")[0] || undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(event).toMatch(
      new RegExp(
        `^Warning ReplicaSet Error creating: ${escape(WEBHOOK_DENIED)}Pod ${ns}/api-[a-z0-9]+-[a-z0-9]{5} violates netguard policy: \\[ingress-policy\\] metadata\\.labels=app=api,pod-template-hash=[a-z0-9]+: no NetworkPolicy with Ingress in its policyTypes selects pods labelled app=api,pod-template-hash=[a-z0-9]+ in namespace "${ns}" \\(fix: Add a NetworkPolicy`,
      ),
    );
    const condition = await waitFor(
      "the ReplicaFailure condition",
      async () => {
        const rs = await kubectl(["get", "rs", "-n", ns, "-l", "app=api", "-o", "jsonpath={range .items[0].status.conditions[*]}{.type} {.status} {.reason}{end}"]);
        return rs.stdout || undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(condition).toBe("ReplicaFailure True FailedCreate");
    const described = await kubectl(["describe", "rs", "-n", ns, "-l", "app=api"]);
    expect(described.stdout).toMatch(/ {2}ReplicaFailure {3}True {4}FailedCreate\n/);
    expect(described.stdout).toMatch(/ {2}Warning {2}FailedCreate {2}\S+ +replicaset-controller {2}Error creating: admission webhook "workloads\.netguard\.io" denied the request: Pod e2e-failed-create\/api-/);
  });

  it("UPDATE of an object that already violated: a replica or image change is admitted with a warning; a new violation is denied", async () => {
    const ns = "e2e-update";
    await createNamespace(env.plane(), ns, { "netguard.io/ignore": "true" });
    await kubectl(["apply", "-f", "-"], DEFAULT_DENY_INGRESS(ns));
    const created = await kubectl(["create", "-n", ns, "-f", "-"], readFileSync(join(FIXTURES, "denied-deployment-hostnetwork-udp.yaml"), "utf8").replace("replicas: 1", "replicas: 0").replace(", protocol: UDP", ""));
    expect(created).toEqual({ code: 0, stdout: "deployment.apps/web created\n", stderr: "" });
    expect((await kubectl(["label", "namespace", ns, "netguard.io/ignore-"])).code).toBe(0);
    const preexisting = `Warning: already present before this update, not denied: [host-network] Deployment ${ns}/web: pod uses the node's network namespace (hostNetwork=true) (spec.template.spec.hostNetwork)\n`;
    // The API server's namespace informer takes a moment to see the label gone: wait until the webhook is asked.
    const patched = await waitFor(
      "the webhook to judge the namespace again",
      async () => {
        const run = await kubectl(["patch", "deployment", "web", "-n", ns, "-p", '{"spec":{"replicas":1}}']);
        return run.stderr === "" ? undefined : run;
      },
      { timeoutMs: 15_000 },
    );
    expect(patched).toEqual({ code: 0, stdout: "deployment.apps/web patched\n", stderr: preexisting });
    expect(await kubectl(["set", "image", "-n", ns, "deployment/web", "web=registry.k8s.io/pause:3.9"])).toEqual({ code: 0, stdout: "deployment.apps/web image updated\n", stderr: preexisting });
    // kubectl scale goes through deployments/scale, which the webhook's rules do not name: no review at all.
    expect(await kubectl(["scale", "-n", ns, "deployment/web", "--replicas=2"])).toEqual({ code: 0, stdout: "deployment.apps/web scaled\n", stderr: "" });
    const udp = '[{"op":"add","path":"/spec/template/spec/containers/0/ports/-","value":{"containerPort":53,"protocol":"UDP"}}]';
    expect(await kubectl(["patch", "deployment", "web", "-n", ns, "--type=json", "-p", udp])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${preexisting}Error from server (Forbidden): ${WEBHOOK_DENIED}Deployment ${ns}/web violates netguard policy: [tcp-only] spec.template.spec.containers[0].ports[1].protocol=UDP: container "web" port 53 uses UDP; allowed: TCP (fix: Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.)\n`,
    });
  });

  it("an ephemeral container with a hostPort through pods/ephemeralcontainers is refused", async () => {
    const ns = "e2e-ephemeral";
    await createNamespace(env.plane(), ns);
    await kubectl(["apply", "-f", "-"], DEFAULT_DENY_INGRESS(ns));
    expect((await kubectl(["create", "-f", "-"], plainPod(ns, "target"))).code).toBe(0);
    const debug = JSON.stringify({ spec: { ephemeralContainers: [{ name: "debug", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 80, hostPort: 80 }] }] } });
    const refused = await kubectl(["patch", "pod", "target", "-n", ns, "--subresource=ephemeralcontainers", "--type=strategic", "-p", debug]);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: `The Pod "target" is invalid: spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container\n`,
    });
  });

  it("an exemption of a Deployment covers its ReplicaSet and Pods (created by the controllers); a Pod forging the same ownerReference and labels is denied", async () => {
    const ns = "e2e-owner-exemption";
    await createNamespace(env.plane(), ns);
    await kubectl(["apply", "-f", "-"], DEFAULT_DENY_INGRESS(ns));
    await env.netguard().setPolicy(`${SHIPPED_POLICY}\n`.replace("exemptions: []", 'exemptions:\n  - reason: node agent (NET-142)\n    rules: [host-network]\n    kinds: [Deployment]\n    names: ["agent*"]'));
    try {
      const agent = readFileSync(join(FIXTURES, "denied-deployment-hostnetwork-udp.yaml"), "utf8").replaceAll("web", "agent").replace(", protocol: UDP", "");
      expect(await kubectl(["apply", "-n", ns, "-f", "-"], agent)).toEqual({ code: 0, stdout: "deployment.apps/agent created\n", stderr: "" });
      const pods = await waitFor("the exempt Deployment's Pod", async () => {
        const listed = JSON.parse((await kubectl(["get", "pods", "-n", ns, "-l", "app=agent", "-o", "json"])).stdout) as { items: { metadata: Record<string, unknown> }[] };
        return listed.items[0];
      }, { timeoutMs: 30_000 });
      const { ownerReferences, labels } = pods.metadata as { ownerReferences: unknown; labels: Record<string, string> };
      const forged = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "forged", namespace: ns, labels, ownerReferences }, spec: { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
      const denied = await kubectl(["create", "-f", "-"], forged);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toBe(`Error from server (Forbidden): error when creating "STDIN": ${WEBHOOK_DENIED}Pod ${ns}/forged violates netguard policy: ${HOST_NETWORK("spec.")}\n`);
      const decisions = await waitFor("the ReplicaSet's and Pod's decision lines", () => {
        const lines = env.netguard().decisions().filter((line) => line["namespace"] === ns && (line["kind"] === "ReplicaSet" || line["kind"] === "Pod"));
        return lines.length >= 3 ? lines : undefined;
      }, { timeoutMs: 5000 });
      expect(decisions.map((line) => [line["kind"], line["user"], line["decision"]]).slice(0, 3)).toEqual([
        ["ReplicaSet", "system:serviceaccount:kube-system:deployment-controller", "allow"],
        ["Pod", "system:serviceaccount:kube-system:replicaset-controller", "allow"],
        ["Pod", "admin", "deny"],
      ]);
    } finally {
      await env.netguard().setPolicy(SHIPPED_POLICY);
    }
  });

  it("a NetworkPolicy applied and at once a Pod it covers: admitted; the policy deleted and a new Pod: denied", async () => {
    const ns = "e2e-coverage";
    await createNamespace(env.plane(), ns);
    const policy = JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "web-in", namespace: ns }, spec: { podSelector: { matchLabels: { app: "web" } } } });
    expect(await kubectl(["apply", "-f", "-"], policy)).toEqual({ code: 0, stdout: "networkpolicy.networking.k8s.io/web-in created\n", stderr: "" });
    expect(await kubectl(["create", "-f", "-"], plainPod(ns, "first", { app: "web" }))).toEqual({ code: 0, stdout: "pod/first created\n", stderr: "" });
    // The guard's default is warn: the delete goes through, saying which Pod it leaves without ingress isolation.
    expect(await kubectl(["delete", "networkpolicy", "web-in", "-n", ns])).toEqual({
      code: 0,
      stdout: 'networkpolicy.networking.k8s.io "web-in" deleted\n',
      stderr: `Warning: [ingress-policy] deleting NetworkPolicy ${ns}/web-in leaves 1 non-terminating Pod with no NetworkPolicy isolating it for ingress:\nWarning: [ingress-policy]   Pod ${ns}/first: 1 pod labelled app=web\n`,
    });
    expect(await kubectl(["create", "-f", "-"], plainPod(ns, "second", { app: "web" }))).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `Error from server (Forbidden): error when creating "STDIN": ${WEBHOOK_DENIED}Pod ${ns}/second violates netguard policy: [ingress-policy] metadata.labels=app=web: no NetworkPolicy with Ingress in its policyTypes selects pods labelled app=web in namespace "${ns}" ` +
        "(fix: Add a NetworkPolicy in the same namespace whose podSelector matches the pod labels and whose policyTypes include Ingress (policyTypes omitted counts as Ingress); an empty podSelector {} covers every pod of the namespace.)\n",
    });
  });
  it("overrides: warn in a namespace labelled dev, deny in one labelled prod, from the labels the API server holds; kubectl label moves a namespace", async () => {
    const dev = "e2e-rollout-dev";
    const prod = "e2e-rollout-prod";
    await createNamespace(env.plane(), dev, { env: "dev" });
    await createNamespace(env.plane(), prod, { env: "prod" });
    const dryRun = (ns: string) => kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "warned-deployment-hostport.yaml"]);
    const warned = (ns: string, reason: string) =>
      `Warning: [host-port] Deployment ${ns}/metrics: container "exporter" uses hostPort 9100 (spec.template.spec.containers[0].ports[0].hostPort) (warn in namespaces labelled env=dev: ${reason})\n`;
    await env.netguard().setPolicy(
      "rules:\n  host-port: audit\n  tcp-only: audit\n  ingress-policy: off\noverrides:\n  - namespaceSelector: {matchLabels: {env: dev}}\n    rules: {host-port: warn}\n    reason: developers try things out\n  - namespaceSelector: {matchLabels: {env: prod}}\n    rules: {host-port: deny, tcp-only: deny}\n",
    );
    try {
      // The Namespace watch starts with the first policy that selects namespaces by label.
      const first = await waitFor("the dev override to apply", async () => {
        const run = await dryRun(dev);
        return run.stderr.includes("(warn in") ? run : undefined;
      }, { timeoutMs: 15_000 });
      expect(first).toEqual({ code: 0, stdout: "deployment.apps/metrics created (server dry run)\n", stderr: warned(dev, "developers try things out") });
      expect(await dryRun(prod)).toEqual({
        code: 1,
        stdout: "",
        stderr:
          `Error from server (Forbidden): error when creating "warned-deployment-hostport.yaml": ${WEBHOOK_DENIED}Deployment ${prod}/metrics violates netguard policy: ` +
          '[host-port] spec.template.spec.containers[0].ports[0].hostPort=9100: container "exporter" uses hostPort 9100 (deny in namespaces labelled env=prod: overrides[1]) (fix: Remove hostPort from the container port and reach the pod through a Service (NodePort or LoadBalancer if it must be reachable from outside).); ' +
          '[tcp-only] spec.template.spec.containers[0].ports[1].protocol=UDP: container "exporter" port 8125 uses UDP; allowed: TCP (deny in namespaces labelled env=prod: overrides[1]) (fix: Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.)\n',
      });
      expect(await kubectl(["label", "namespace", prod, "env=dev", "--overwrite"])).toEqual({ code: 0, stdout: `namespace/${prod} labeled\n`, stderr: "" });
      const moved = await waitFor("the relabelled namespace to warn", async () => {
        const run = await dryRun(prod);
        return run.code === 0 ? run : undefined;
      }, { timeoutMs: 15_000 });
      expect(moved).toEqual({ code: 0, stdout: "deployment.apps/metrics created (server dry run)\n", stderr: warned(prod, "developers try things out") });
    } finally {
      await env.netguard().setPolicy(SHIPPED_POLICY);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
