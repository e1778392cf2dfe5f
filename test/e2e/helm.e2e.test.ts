import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";
import { startControlPlane, type ControlPlane } from "./support/control-plane.js";
import { createNamespace, startNetguard, waitUntilEnforced, type Netguard } from "./support/netguard.js";
import { freePort } from "./support/processes.js";
import { repoRoot } from "./support/repo-root.js";
import { describeE2e, e2eAssets } from "./support/suite.js";

const NS = "netguard-system";
const APP_NS = "e2e-helm";
const CHART = join(repoRoot(), "charts", "netguard");
const helmBinary = process.env["NETGUARD_HELM"];

/**
 * `helm install`, `helm upgrade` and `helm uninstall` of charts/netguard on the real control plane, with
 * self-managed certificates (no cert-manager). No kubelet runs here, so the Deployment's pod is stood in
 * for by netguard on 127.0.0.1, as the chart's ServiceAccount, with the chart's own flags; the chart's
 * webhook.url points the API server at it, and the test copies the policy ConfigMap to its file as the
 * kubelet would.
 */
describeE2e("the Helm chart on a real control plane", () => {
  let plane: ControlPlane | undefined;
  let netguard: Netguard | undefined;
  let port = 0;
  const values = join(tempDir("netguard-helm-"), "values.yaml");
  const need = (): ControlPlane => {
    if (!plane) throw new Error("the control plane did not start");
    return plane;
  };
  const helm = async (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(helmBinary ?? "helm", [...args, "--kubeconfig", need().kubeconfig], { encoding: "utf8" }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  const policyFromConfigMap = async (): Promise<string> => (await need().kubectl(["get", "configmap", "netguard-policy", "-n", NS, "-o", "jsonpath={.data.policy\\.yaml}"])).stdout;
  const hostNetworkPod = async () => need().kubectl(["run", "web", "-n", APP_NS, "--image=registry.k8s.io/pause:3.10", "--dry-run=server", "--overrides", JSON.stringify({ spec: { hostNetwork: true } })]);

  beforeAll(async () => {
    const assets = e2eAssets();
    if (!assets || helmBinary === undefined) return;
    plane = await startControlPlane(assets);
    port = await freePort();
    writeFileSync(values, `certificates:\n  mode: self-managed\n  extraNames: [127.0.0.1]\nwebhook:\n  url: https://127.0.0.1:${String(port)}\n`);
    await createNamespace(plane, APP_NS);
    await createNamespace(plane, "e2e-webhook-marker");
    // Ingress isolation in place, so host-network alone decides the test Pod.
    const isolated = await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: APP_NS }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }) });
    expect(isolated.code, isolated.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await netguard?.stop();
    await plane?.stop();
  }, 60_000);

  it("helm install, then kubectl's denial", async () => {
    const installed = await helm(["install", "netguard", CHART, "-n", NS, "--create-namespace", "-f", values]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain("STATUS: deployed");
    netguard = await startNetguard(need(), {
      account: { namespace: NS, name: "netguard-controller" },
      port,
      policy: await policyFromConfigMap(),
      selfManagedCertDir: tempDir("netguard-helm-certs-"),
      args: ["--self-managed-certs", "--cert-secret=netguard-webhook-server-cert", "--webhook-configuration=netguard-validating-webhook", "--service=netguard-webhook-service", `--namespace=${NS}`, "--cert-san=127.0.0.1"],
    });
    await waitUntilEnforced(need());
    const denied = await hostNetworkPod();
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`Error from server (Forbidden): admission webhook "workloads.netguard.io" denied the request: Pod ${APP_NS}/web violates netguard policy: [host-network] spec.hostNetwork=true`);
  });

  it("helm upgrade with a changed policy: the reload applies it", async () => {
    const policy = (await policyFromConfigMap()).replace("host-network: {action: deny}", "host-network: {action: warn}");
    expect(policy).toContain("host-network: {action: warn}");
    writeFileSync(values.replace("values.yaml", "policy.yaml"), `policy: |\n${policy.split("\n").map((line) => (line === "" ? "" : `  ${line}`)).join("\n")}`);
    const upgraded = await helm(["upgrade", "netguard", CHART, "-n", NS, "-f", values, "-f", values.replace("values.yaml", "policy.yaml")]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(await policyFromConfigMap()).toBe(policy);
    // The kubelet's part: the ConfigMap volume's file changes; netguard reloads it.
    await netguard?.setPolicy(await policyFromConfigMap());
    const warned = await hostNetworkPod();
    expect(warned).toMatchObject({ code: 0, stdout: "pod/web created (server dry run)\n" });
    expect(warned.stderr).toContain(`Warning: [host-network] Pod ${APP_NS}/web: pod uses the node's network namespace (hostNetwork=true) (spec.hostNetwork)`);
    // The upgrade kept the caBundle netguard wrote (it is not in the chart).
    const bundle = await need().kubectl(["get", "validatingwebhookconfiguration", "netguard-validating-webhook", "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}"]);
    expect(bundle.stdout).not.toBe("");
  });

  it("helm uninstall leaves nothing of netguard behind", async () => {
    await netguard?.stop();
    netguard = undefined;
    const removed = await helm(["uninstall", "netguard", "-n", NS]);
    expect(removed.code, removed.stderr).toBe(0);
    const left = await need().kubectl([
      "get",
      "deployments,replicasets,services,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets,clusterroles,clusterrolebindings,validatingwebhookconfigurations",
      "-A",
      "-l",
      "app.kubernetes.io/part-of=netguard",
      "-o",
      "name",
    ]);
    expect(left).toMatchObject({ code: 0, stdout: "" });
    // Pods the ReplicaSet made (they never ran: no kubelet) go with it once the garbage collector gets to them.
    const named = await need().kubectl(["get", "clusterroles,clusterrolebindings,validatingwebhookconfigurations", "-o", "name"]);
    expect(named.stdout.split("\n").filter((line) => line.includes("netguard"))).toEqual([]);
  });
});
