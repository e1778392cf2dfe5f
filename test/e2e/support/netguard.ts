import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { issue, makeCa, secretDir, type Pem, type SecretDir } from "../../support/pki.js";
import { tempDir } from "../../support/temp-dir.js";
import type { ControlPlane } from "./control-plane.js";
import { startProcess, waitFor, type Started } from "./processes.js";
import { repoRoot } from "./repo-root.js";

const ROOT = repoRoot();
const MAIN = join(ROOT, "dist", "src", "main.js");

/** A finished netguard command: its exit code and everything it wrote. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a netguard command (check, audit, …) from the build to its end. */
export function runNetguard(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `netguard serve` process watching the control plane, and what it logged. */
export interface Netguard {
  readonly port: number;
  readonly healthPort: number;
  readonly ca: Pem;
  readonly certs: SecretDir;
  readonly process: Started;
  /** Every JSON line it wrote to stdout so far. */
  readonly lines: () => Record<string, unknown>[];
  readonly decisions: () => Record<string, unknown>[];
  /** Rewrites the policy file and waits until netguard has reloaded it. */
  readonly setPolicy: (text: string) => Promise<void>;
  readonly stop: (graceMs?: number) => Promise<void>;
}

/** Options: a policy text, an existing CA and certificate directory (a restart keeps them), a fixed port. */
export interface NetguardOptions {
  readonly policy?: string;
  readonly ca?: Pem;
  readonly certs?: SecretDir;
  readonly port?: number;
  readonly shutdownDelaySeconds?: number;
  /** Node flags before the script, as the image's entrypoint has them (benchmarks measure memory with them). */
  readonly nodeFlags?: readonly string[];
  /** Opt-in kustomize components installed with the identity (repository-relative), e.g. config/wake-controllers. */
  readonly components?: readonly string[];
  /** More `netguard serve` flags, as those components add to the Deployment. */
  readonly args?: readonly string[];
  /** The kustomization whose identity netguard runs as (repository-relative; default: the root, cert-manager's path). */
  readonly install?: string;
  /** Run as this existing ServiceAccount (installed by another path, e.g. helm) instead of applying the kustomize identity. */
  readonly account?: { readonly namespace: string; readonly name: string };
  /** netguard manages its own certificates in this directory (--self-managed-certs in args): no test CA. */
  readonly selfManagedCertDir?: string;
}

/**
 * Starts `netguard serve` from the build on 127.0.0.1 as the shipped ServiceAccount, bound to the
 * shipped ClusterRole (least privilege, as installed); resolves once ready.
 */
export async function startNetguard(plane: ControlPlane, options: NetguardOptions = {}): Promise<Netguard> {
  const dir = tempDir("netguard-serve-");
  const ca = options.ca ?? (await makeCa());
  const certs = options.selfManagedCertDir !== undefined ? { dir: options.selfManagedCertDir, swap: () => undefined } : (options.certs ?? secretDir(await issue(ca)));
  const kubeconfig = options.account ? await accountKubeconfig(plane, options.account) : await installedIdentity(plane, options.components ?? [], options.install);
  const policyFile = join(dir, "policy.yaml");
  const args = [...(options.nodeFlags ?? []), MAIN, "serve", "--cert-dir", certs.dir, "--kubeconfig", kubeconfig, "--host", "127.0.0.1", "--port", String(options.port ?? 0), "--health-port", "0", "--poll-seconds", "1"];
  args.push("--shutdown-delay", String(options.shutdownDelaySeconds ?? 0), ...(options.args ?? []));
  if (options.policy !== undefined) {
    writeFileSync(policyFile, options.policy);
    args.push("--policy", policyFile);
  }
  const started = startProcess(`netguard-${String(Date.now())}`, process.execPath, args, { logDir: dir });
  let text = "";
  started.child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const lines = (): Record<string, unknown>[] =>
    text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const listening = await waitFor("netguard to listen", () => lines().find((line) => line["msg"] === "netguard webhook listening"), { timeoutMs: 30_000, process: started });
  const healthPort = Number(listening["healthPort"]);
  await waitFor("netguard /readyz", async () => ((await fetch(`http://127.0.0.1:${String(healthPort)}/readyz`)).status === 200 ? true : undefined), { timeoutMs: 30_000, process: started });
  return {
    port: Number(listening["port"]),
    healthPort,
    ca,
    certs,
    process: started,
    lines,
    decisions: () => lines().filter((line) => line["msg"] === "admission decision"),
    setPolicy: async (text) => {
      if (options.policy === undefined) throw new Error("start netguard with a policy to change it");
      const before = lines().filter((line) => line["msg"] === "policy reloaded").length;
      writeFileSync(policyFile, text);
      await waitFor("netguard to reload its policy", () => (lines().filter((line) => line["msg"] === "policy reloaded").length > before ? true : undefined), { timeoutMs: 15_000, process: started });
    },
    stop: (graceMs) => started.stop(graceMs),
  };
}

/** Kinds of the install that give netguard its identity: applied for real, as `kubectl apply -k .` would. */
const IDENTITY_KINDS = new Set(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);

/** Applies the install's identity objects and returns a kubeconfig for one of its ServiceAccounts (default: the webhook's, netguard-system/netguard-controller). */
export async function installedIdentity(plane: ControlPlane, components: readonly string[], install: string | undefined, accountName = "netguard-controller"): Promise<string> {
  const objects = parseAllDocuments(await kustomizeInstall(plane, components, install))
    .map((doc) => doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } })
    .filter((object) => IDENTITY_KINDS.has(object.kind));
  const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
  if (applied.code !== 0) throw new Error(`installing netguard's identity: ${applied.stderr}`);
  const account = objects.find((object) => object.kind === "ServiceAccount" && object.metadata.name === accountName);
  if (!account) throw new Error(`the install has no ServiceAccount ${accountName}`);
  return accountKubeconfig(plane, { namespace: account.metadata.namespace ?? "default", name: account.metadata.name });
}

/** A kubeconfig with a fresh token for a ServiceAccount. */
async function accountKubeconfig(plane: ControlPlane, account: { readonly namespace: string; readonly name: string }): Promise<string> {
  const token = await plane.kubectl(["create", "token", account.name, "-n", account.namespace, "--duration=24h"]);
  if (token.code !== 0) throw new Error(`minting a token: ${token.stderr}`);
  return plane.kubeconfigFor(`${account.namespace}-${account.name}`, token.stdout.trim());
}

/**
 * The ValidatingWebhookConfiguration users install (`kubectl kustomize .`: the very rules,
 * namespaceSelector, matchPolicy, timeouts, sideEffects and failurePolicy), with only clientConfig
 * pointed at the local process, as envtest does for service webhooks.
 */
export function renderedWebhookConfiguration(port: number, ca: string, kustomized: string): Record<string, unknown> {
  const config = parseAllDocuments(kustomized)
    .map((doc) => doc.toJS() as Record<string, unknown>)
    .find((object) => object["kind"] === "ValidatingWebhookConfiguration");
  if (!config) throw new Error("kubectl kustomize . rendered no ValidatingWebhookConfiguration");
  const webhooks = config["webhooks"] as Record<string, unknown>[];
  for (const webhook of webhooks) {
    const path = (webhook["clientConfig"] as { service: { path: string } }).service.path;
    webhook["clientConfig"] = { url: `https://127.0.0.1:${String(port)}${path}`, caBundle: Buffer.from(ca).toString("base64") };
  }
  return config;
}

/** The install as `kubectl kustomize .` renders it from the repository root. */
export async function kustomizeInstall(plane: ControlPlane, components: readonly string[] = [], install = "."): Promise<string> {
  const base = join(ROOT, install);
  let dir = base;
  if (components.length > 0) {
    dir = tempDir("netguard-install-");
    const lines = components.map((component) => `  - ${relative(dir, join(ROOT, component))}`);
    writeFileSync(join(dir, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(dir, base)}\ncomponents:\n${lines.join("\n")}\n`);
  }
  const rendered = await plane.kubectl(["kustomize", dir]);
  if (rendered.code !== 0) throw new Error(`kubectl kustomize failed: ${rendered.stderr}`);
  return rendered.stdout;
}

/** A namespace the webhook judges, with its default ServiceAccount (the ServiceAccount admission plugin needs it; without kube-controller-manager it is created here). */
export async function createNamespace(plane: ControlPlane, name: string, labels: Record<string, string> = {}): Promise<void> {
  const created = await plane.kubectl(["create", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }) });
  if (created.code !== 0) throw new Error(`creating namespace ${name}: ${created.stderr}`);
  if (!plane.controllerManager) {
    const account = await plane.kubectl(["create", "serviceaccount", "default", "-n", name]);
    if (account.code !== 0) throw new Error(`creating ServiceAccount ${name}/default: ${account.stderr}`);
    return;
  }
  await waitFor(`ServiceAccount ${name}/default`, async () => ((await plane.kubectl(["get", "serviceaccount", "default", "-n", name])).code === 0 ? true : undefined), { timeoutMs: 30_000 });
}

/** The marker namespace: a request the webhook must deny there proves the configuration is live. */
const MARKER_NAMESPACE = "e2e-webhook-marker";

/**
 * Registers the webhook and waits until the API server calls it, by probing with a request it must
 * deny (`probe: false` for a server that denies nothing, such as the benchmark's floor), with the
 * webhook rules of the components netguard was installed with.
 */
export async function registerWebhook(plane: ControlPlane, netguard: Pick<Netguard, "port" | "ca">, options: { readonly probe?: boolean; readonly components?: readonly string[] | undefined } = {}): Promise<{ readonly name: string }> {
  // With the opt-in components the install has (config/sources/* add rules for their policy kinds).
  const config = renderedWebhookConfiguration(netguard.port, netguard.ca.cert, await kustomizeInstall(plane, options.components));
  const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(config) });
  if (applied.code !== 0) throw new Error(`registering the webhook: ${applied.stderr}`);
  if ((await plane.kubectl(["get", "namespace", MARKER_NAMESPACE])).code !== 0) await createNamespace(plane, MARKER_NAMESPACE);
  if (options.probe !== false) await waitUntilEnforced(plane);
  return { name: (config["metadata"] as { name: string }).name };
}

/** Polls with a hostNetwork Pod (dry run) until the webhook denies it: the configuration reaches the API server through an informer, asynchronously. */
export async function waitUntilEnforced(plane: ControlPlane, timeoutMs = 30_000): Promise<void> {
  const marker = JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "marker", namespace: MARKER_NAMESPACE },
    spec: { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] },
  });
  await waitFor(
    "the webhook to deny the marker Pod",
    async () => {
      const run = await plane.kubectl(["create", "--dry-run=server", "-f", "-"], { stdin: marker });
      return run.code !== 0 && run.stderr.includes('admission webhook "workloads.netguard.io" denied the request') ? true : undefined;
    },
    { timeoutMs },
  );
}
