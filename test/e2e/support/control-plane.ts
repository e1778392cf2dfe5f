import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { tempDir } from "../../support/temp-dir.js";
import type { Assets } from "./assets.js";
import { runKubectl, type KubectlOptions, type KubectlRun } from "./kubectl.js";
import { freePort, startProcess, waitFor, type Started } from "./processes.js";

/** What the tests get: where the API server is, how to reach it, and kubectl bound to it. */
export interface ControlPlane {
  readonly url: string;
  readonly dir: string;
  /** Admin kubeconfig (token in system:masters). */
  readonly kubeconfig: string;
  /** The API server's CA, PEM. */
  readonly ca: string;
  readonly adminToken: string;
  /** JSON lines of the API server's audit log (level Metadata, ResponseComplete only). */
  readonly auditLog: string;
  readonly processes: readonly Started[];
  readonly kubectl: (args: readonly string[], options?: KubectlOptions) => Promise<KubectlRun>;
  /** A kubeconfig for the same server with another bearer token. */
  readonly kubeconfigFor: (name: string, token: string) => string;
  /** Milliseconds from the first process started to every component ready. */
  readonly startupMs: number;
  /** Whether kube-controller-manager runs (it creates each namespace's default ServiceAccount). */
  readonly controllerManager: boolean;
  readonly stop: () => Promise<void>;
}

/** Which components to run; kube-controller-manager is on unless asked otherwise. */
export interface ControlPlaneOptions {
  readonly controllerManager?: boolean;
}

/**
 * The controllers a Deployment -> ReplicaSet -> Pod flow, Jobs/CronJobs, namespace deletion and
 * garbage collection need, the ones that make ServiceAccounts and their tokens work, and the one that
 * type-checks ValidatingAdmissionPolicies. No scheduler
 * and no kubelet: Pods stay Pending, which admission tests do not mind.
 */
const CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "replicationcontroller-controller",
  "statefulset-controller",
  "daemonset-controller",
  "job-controller",
  "cronjob-controller",
  "namespace-controller",
  "garbage-collector-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "root-ca-certificate-publisher-controller",
  "clusterrole-aggregation-controller",
  // Writes status.typeChecking of ValidatingAdmissionPolicies (the generated ones must have no warnings).
  "validatingadmissionpolicy-status-controller",
];

/** Every request at Metadata level (where webhook audit annotations appear), written once it completes. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/openapi*", "/api*"]
  - level: Metadata
`;

/** Starts etcd, kube-apiserver and (by default) kube-controller-manager on 127.0.0.1; stop() stops them by PID. */
export async function startControlPlane(assets: Extract<Assets, { ok: true }>, options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const dir = tempDir("netguard-e2e-");
  const processes: Started[] = [];
  const stop = async (): Promise<void> => {
    // Reverse order: controllers before the API server before its storage.
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    const etcdPort = await freePort();
    const peerPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${String(etcdPort)}`;
    const etcd = startProcess("etcd", join(assets.dir, "etcd"), [
      `--data-dir=${join(dir, "etcd-data")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${String(peerPort)}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${String(peerPort)}`,
      `--initial-cluster=default=http://127.0.0.1:${String(peerPort)}`,
      // Throwaway data: durability buys nothing here and fsync dominates on a shared disk.
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ], { logDir: dir });
    processes.push(etcd);
    await waitFor("etcd /health", async () => ((await plainGet(`${etcdUrl}/health`)).includes('"health":"true"') ? true : undefined), { timeoutMs: 30_000, process: etcd });

    const port = await freePort();
    const url = `https://127.0.0.1:${String(port)}`;
    const adminToken = randomBytes(24).toString("hex");
    const kcmToken = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n${kcmToken},system:kube-controller-manager,kcm-uid,\n`);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(dir, "audit-policy.yaml"), AUDIT_POLICY);
    const certDir = join(dir, "apiserver-certs");
    const auditLog = join(dir, "audit.log");
    const apiserver = startProcess("kube-apiserver", join(assets.dir, "kube-apiserver"), [
      "--bind-address=127.0.0.1",
      // Without it a loopback bind picks the default-route interface, or fails where there is none.
      "--advertise-address=127.0.0.1",
      `--secure-port=${String(port)}`,
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      `--service-account-issuer=${url}`,
      `--service-account-key-file=${join(dir, "sa.key")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      // The kubernetes Service's endpoints cannot be a loopback address; nothing here needs them.
      "--endpoint-reconciler-type=none",
      "--allow-privileged=true",
      `--audit-policy-file=${join(dir, "audit-policy.yaml")}`,
      `--audit-log-path=${auditLog}`,
      "--audit-log-format=json",
      "--profiling=false",
      "--v=1",
    ], { logDir: dir });
    processes.push(apiserver);
    // The API server generates a self-signed CA and serving pair into --cert-dir on start.
    const caFile = join(certDir, "apiserver.crt");
    const ca = await waitFor("kube-apiserver's generated certificate", () => readFileSync(caFile, "utf8"), { timeoutMs: 60_000, process: apiserver });
    await waitFor("kube-apiserver /readyz", async () => ((await httpsGet(`${url}/readyz`, ca)).status === 200 ? true : undefined), { timeoutMs: 90_000, process: apiserver });

    const kubeconfigFor = (name: string, token: string): string => {
      const file = join(dir, `${name}.kubeconfig`);
      writeFileSync(file, kubeconfigText(url, caFile, name, token));
      return file;
    };
    const kubeconfig = kubeconfigFor("admin", adminToken);
    const kubectl = (args: readonly string[], kubectlOptions: KubectlOptions = {}): Promise<KubectlRun> =>
      runKubectl(assets.kubectl, ["--kubeconfig", kubeconfig, ...args], kubectlOptions);

    if (options.controllerManager !== false) {
      const kcm = startProcess("kube-controller-manager", join(assets.dir, "kube-controller-manager"), [
        `--kubeconfig=${kubeconfigFor("kube-controller-manager", kcmToken)}`,
        "--leader-elect=false",
        // No serving port: nothing scrapes it, and a fixed one would collide between runs.
        "--secure-port=0",
        `--controllers=${CONTROLLERS.join(",")}`,
        `--service-account-private-key-file=${join(dir, "sa.key")}`,
        `--root-ca-file=${caFile}`,
        // Each controller calls the API as its own ServiceAccount, as in a real cluster: Pods reach
        // the webhook from system:serviceaccount:kube-system:replicaset-controller.
        "--use-service-account-credentials=true",
        "--v=1",
      ], { logDir: dir });
      processes.push(kcm);
      // No serving port to probe: the ServiceAccount controller's first effect is the readiness signal.
      await waitFor("kube-controller-manager (ServiceAccount default/default)", async () => ((await kubectl(["get", "serviceaccount", "default", "-n", "default"])).code === 0 ? true : undefined), {
        timeoutMs: 60_000,
        process: kcm,
      });
    }
    const controllerManager = options.controllerManager !== false;
    return { url, dir, kubeconfig, ca, adminToken, auditLog, processes, kubectl, kubeconfigFor, startupMs: Date.now() - started, controllerManager, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function kubeconfigText(server: string, caFile: string, user: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster: {server: "${server}", certificate-authority: "${caFile}"}
users:
  - name: ${user}
    user: {token: "${token}"}
contexts:
  - name: e2e
    context: {cluster: e2e, user: ${user}}
current-context: e2e
`;
}

function plainGet(url: string): Promise<string> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then((res) => res.text());
}

function httpsGet(url: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca, keepAlive: false }), timeout: 2000 }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
