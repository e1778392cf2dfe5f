import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "./support/control-plane.js";
import { generatePolicies, PART_OF, replaceGeneratedPolicies } from "./support/generated-policies.js";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { repoRoot } from "./support/repo-root.js";
import { describeE2e, e2eAssets } from "./support/suite.js";

const ROOT = repoRoot();
const FIXTURES = join(import.meta.dirname, "fixtures");
const HOST_NETWORK_FIX = "Remove hostNetwork: true and expose the pod through a Service; exempt node agents that truly need the node's network.";
const HOST_PORT_FIX = "Remove hostPort from the container port and reach the pod through a Service (NodePort or LoadBalancer if it must be reachable from outside).";
const TCP_FIX = "Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.";

describeE2e("the generated ValidatingAdmissionPolicies on their own: no webhook installed, no netguard running", () => {
  let plane: ControlPlane | undefined;
  const cp = (): ControlPlane => {
    if (!plane) throw new Error("the control plane did not start");
    return plane;
  };
  const kubectl = (args: readonly string[], stdin?: string) => cp().kubectl(args, { cwd: FIXTURES, ...(stdin === undefined ? {} : { stdin }) });
  /**
   * Runs kubectl until it prints what is expected (or the time is up) and returns the last run: the API
   * server loads each policy on its own, a moment after it is applied.
   */
  const eventually = async (args: readonly string[], stdin: string | undefined, expected: (run: { code: number | null; stdout: string; stderr: string }) => boolean) => {
    let last = await kubectl(args, stdin);
    const deadline = Date.now() + 60_000;
    while (!expected(last) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await kubectl(args, stdin);
    }
    return last;
  };
  /** Replaces the installed policies with those generated from a policy text, and waits until a probe shows them in force. */
  const install = async (policy: string, inForce: (run: { code: number | null; stderr: string }) => boolean): Promise<void> => {
    await replaceGeneratedPolicies(cp(), policy);
    await waitFor("the new policies to be in force", async () => (inForce(await kubectl(["apply", "--dry-run=server", "-n", "e2e-vap-probe", "-f", "warned-deployment-hostport.yaml"])) ? true : undefined), { timeoutMs: 60_000 });
  };

  beforeAll(async () => {
    const assets = e2eAssets();
    if (!assets) return;
    plane = await startControlPlane(assets);
    await createNamespace(plane, "e2e-vap-probe");
  }, 180_000);
  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it("kubectl apply -f config/vap/policies.yaml: kubectl shows one denying policy's message, the object is not created", async () => {
    const ns = "e2e-vap-deny";
    await createNamespace(cp(), ns);
    expect((await kubectl(["apply", "-f", join(ROOT, "config", "vap", "policies.yaml")])).code).toBe(0);
    // hostNetwork and a UDP port: one policy holds every rule, and the API server reports its first
    // failing validation, so the denial is always host-network's (the webhook lists every finding).
    const hostNetworkOnly = readFileSync(join(FIXTURES, "denied-deployment-hostnetwork-udp.yaml"), "utf8");
    // Polled as a dry run: a real apply that came before the policies were loaded would store the
    // object, and the next apply, an UPDATE of a violation already present, is let through.
    await waitFor("the shipped policies to deny", async () => ((await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "-"], hostNetworkOnly)).stderr.includes("ValidatingAdmissionPolicy") ? true : undefined), { timeoutMs: 60_000 });
    expect(await kubectl(["apply", "-n", ns, "-f", "-"], hostNetworkOnly)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `Error from server (Forbidden): error when creating "STDIN": deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'netguard-deny-workloads' with binding 'netguard-deny-workloads' denied request: ` +
        `[host-network] pod uses the node's network namespace (hostNetwork=true) (fix: ${HOST_NETWORK_FIX})\n`,
    });
    expect(await kubectl(["get", "deployments", "-n", ns, "-o", "name"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("a rule moved from deny to warn: kubectl apply --prune as documented removes the policies it left, keeps the rest", async () => {
    await replaceGeneratedPolicies(cp(), "rules: {host-network: deny, host-port: deny, tcp-only: deny}\n");
    // docs/validating-admission-policies.md: the prune that follows a change of action.
    const prune = ["apply", "--prune", "-l", "netguard.io/scope", "--prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", "--prune-allowlist=admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding", "-f", "-"];
    const applied = await kubectl(prune, generatePolicies("rules: {host-network: deny, host-port: deny, tcp-only: warn}\n"));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("validatingadmissionpolicy.admissionregistration.k8s.io/netguard-deny-services pruned\n");
    const names = ["cronjobs", "pods", "podtemplates", "workloads"].map((scope) => `netguard-deny-${scope}`).concat(["cronjobs", "networkpolicies", "pods", "podtemplates", "services", "workloads"].map((scope) => `netguard-warn-${scope}`));
    for (const kind of ["validatingadmissionpolicy", "validatingadmissionpolicybinding"]) {
      const listed = await kubectl(["get", `${kind}.admissionregistration.k8s.io`, "-l", PART_OF, "-o", "name"]);
      expect(listed.stdout.split("\n").filter(Boolean)).toEqual(names.map((name) => `${kind}.admissionregistration.k8s.io/${name}`));
    }
  });

  it("warn: one Warning line per rule, naming the container and port; the object is admitted", async () => {
    const ns = "e2e-vap-warn";
    await createNamespace(cp(), ns);
    await install("rules: {host-port: warn, tcp-only: warn}\n", (run) => run.code === 0 && run.stderr.includes("Warning: Validation failed"));
    const run = await eventually(["apply", "--dry-run=server", "-n", ns, "-f", "warned-deployment-hostport.yaml"], undefined, (last) => last.stderr.split("\n").length === 3);
    expect({ ...run, stderr: run.stderr.split("\n") }).toEqual({
      code: 0,
      stdout: "deployment.apps/metrics created (server dry run)\n",
      // One policy, its validations in the rules' order.
      stderr: [
        `Warning: Validation failed for ValidatingAdmissionPolicy 'netguard-warn-workloads' with binding 'netguard-warn-workloads': [host-port] container "exporter" uses hostPort 9100 (fix: ${HOST_PORT_FIX})`,
        `Warning: Validation failed for ValidatingAdmissionPolicy 'netguard-warn-workloads' with binding 'netguard-warn-workloads': [tcp-only] container "exporter" port 8125 uses UDP; allowed: TCP (fix: ${TCP_FIX})`,
        "",
      ],
    });
  });

  it("UPDATE: a violation already present is let through (a replica change); a new one is denied", async () => {
    const ns = "e2e-vap-update";
    await createNamespace(cp(), ns, { "netguard.io/ignore": "true" });
    await install("rules: {tcp-only: deny}\n", (run) => run.code === 1);
    const legacy = readFileSync(join(FIXTURES, "denied-deployment-hostnetwork-udp.yaml"), "utf8").replace("replicas: 1", "replicas: 0");
    expect((await kubectl(["create", "-n", ns, "-f", "-"], legacy)).code).toBe(0);
    expect((await kubectl(["label", "namespace", ns, "netguard.io/ignore-"])).code).toBe(0);
    const udp = '[{"op":"add","path":"/spec/template/spec/containers/0/ports/-","value":{"containerPort":54,"protocol":"UDP"}}]';
    // The API server's namespace informer takes a moment to see the label gone: wait until the policies judge it.
    // A dry run, so an attempt made before that does not store the port (it would then be "already present").
    await waitFor("the policies to judge the namespace", async () => ((await kubectl(["patch", "deployment", "web", "-n", ns, "--dry-run=server", "--type=json", "-p", udp])).code === 1 ? true : undefined), { timeoutMs: 60_000 });
    expect(await kubectl(["patch", "deployment", "web", "-n", ns, "--type=json", "-p", udp])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'netguard-deny-workloads' with binding 'netguard-deny-workloads' denied request: [tcp-only] container "web" port 54 uses UDP; allowed: TCP (fix: ${TCP_FIX})\n`,
    });
    expect(await kubectl(["patch", "deployment", "web", "-n", ns, "-p", '{"spec":{"replicas":1}}'])).toEqual({ code: 0, stdout: "deployment.apps/web patched\n", stderr: "" });
  });

  it("an exemption of a Deployment covers the ReplicaSet and Pods its controllers create; a Pod forging the ownerReference is denied", async () => {
    const ns = "e2e-vap-owners";
    await createNamespace(cp(), ns);
    await install('rules: {host-network: deny, host-port: off, tcp-only: off}\nexemptions:\n  - {reason: "node agent (NET-142)", rules: [host-network], kinds: [Deployment], names: ["agent*"]}\n', (run) => run.code === 0);
    const agent = readFileSync(join(FIXTURES, "denied-deployment-hostnetwork-udp.yaml"), "utf8").replaceAll("web", "agent").replace(", protocol: UDP", "");
    expect(await eventually(["apply", "-n", ns, "-f", "-"], agent, (run) => run.code === 0)).toEqual({ code: 0, stdout: "deployment.apps/agent created\n", stderr: "" });
    const pod = await waitFor("the exempt Deployment's Pod", async () => {
      const listed = JSON.parse((await kubectl(["get", "pods", "-n", ns, "-l", "app=agent", "-o", "json"])).stdout) as { items: { metadata: Record<string, unknown> }[] };
      return listed.items[0];
    }, { timeoutMs: 30_000 });
    const { ownerReferences, labels } = pod.metadata as { ownerReferences: unknown; labels: Record<string, string> };
    const forged = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "forged", namespace: ns, labels, ownerReferences }, spec: { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
    expect(await eventually(["create", "-f", "-"], forged, (run) => run.code === 1)).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): error when creating "STDIN": pods "forged" is forbidden: ValidatingAdmissionPolicy 'netguard-deny-pods' with binding 'netguard-deny-pods' denied request: [host-network] pod uses the node's network namespace (hostNetwork=true) (fix: ${HOST_NETWORK_FIX})\n`,
    });
    // A Deployment of another name is not exempt. Retried with a server dry run until the binding is in
    // force (a real apply admitted before that would create it, and a retry would then be "unchanged").
    const other = agent.replaceAll("agent", "web");
    await eventually(["apply", "--dry-run=server", "-n", ns, "-f", "-"], other, (run) => run.code === 1);
    expect(await kubectl(["apply", "-n", ns, "-f", "-"], other)).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): error when creating "STDIN": deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'netguard-deny-workloads' with binding 'netguard-deny-workloads' denied request: [host-network] pod uses the node's network namespace (hostNetwork=true) (fix: ${HOST_NETWORK_FIX})\n`,
    });
  });
});
