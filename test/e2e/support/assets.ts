import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "./repo-root.js";

const TOOLCHAIN = join(repoRoot(), "test", "e2e", "toolchain");

/** The binaries the control plane needs, and the ones it uses when present. */
export const REQUIRED = ["kube-apiserver", "etcd", "kube-controller-manager"] as const;

/** Where the control-plane binaries come from, or why there are none. */
export type Assets =
  | { readonly ok: true; readonly dir: string; readonly origin: "KUBEBUILDER_ASSETS" | "cache" | "built"; readonly kubectl: string }
  | { readonly ok: false; readonly reason: string };

/** The pinned releases, read from the committed wrapper modules so there is one place to change them. */
export function pinnedVersions(): { kubernetes: string; etcd: string } {
  return {
    kubernetes: requiredVersion(join(TOOLCHAIN, "kubernetes", "go.mod"), "k8s.io/kubernetes"),
    etcd: requiredVersion(join(TOOLCHAIN, "etcd", "go.mod"), "go.etcd.io/etcd/server/v3"),
  };
}

function requiredVersion(goMod: string, module: string): string {
  const match = new RegExp(`^\\s*(?:require\\s+)?${module.replaceAll(".", "\\.")}\\s+v(\\S+)`, "m").exec(readFileSync(goMod, "utf8"));
  if (!match?.[1]) throw new Error(`${goMod} does not require ${module}`);
  return match[1];
}

/** Where built tools live: $NETGUARD_E2E_CACHE, else $XDG_CACHE_HOME/netguard-e2e, else ~/.cache/netguard-e2e. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  // An empty variable counts as unset, and a relative one is taken from the working directory: the build
  // runs inside the wrapper modules, and a relative path there would put binaries in the repository.
  return resolve(env["NETGUARD_E2E_CACHE"] || join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "netguard-e2e"));
}

/** The cache directory, laid out like setup-envtest's store: <cache>/k8s/<version>-linux-amd64/. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const { kubernetes, etcd } = pinnedVersions();
  const root = cacheRoot(env);
  // etcd is pinned separately, so its version is part of the key too.
  return join(root, "k8s", `${kubernetes}-etcd${etcd}-${process.platform}-${goArch()}`);
}

function goArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch;
}

/** The binaries: $KUBEBUILDER_ASSETS as given, else the cache when it holds the pinned versions. */
export function findAssets(env: NodeJS.ProcessEnv = process.env): Assets {
  const given = env["KUBEBUILDER_ASSETS"];
  if (given !== undefined && given !== "") {
    const missing = REQUIRED.filter((name) => !existsSync(join(given, name)));
    if (missing.length > 0) return { ok: false, reason: `KUBEBUILDER_ASSETS=${given} has no ${missing.join(", ")}` };
    return { ok: true, dir: given, origin: "KUBEBUILDER_ASSETS", kubectl: kubectlIn(given) };
  }
  const dir = cacheDir(env);
  if (cacheIsCurrent(dir)) return { ok: true, dir, origin: "cache", kubectl: kubectlIn(dir) };
  return { ok: false, reason: `no binaries in ${dir}` };
}

/** kubectl from the assets when present (envtest's convention), else the one on PATH. */
function kubectlIn(dir: string): string {
  return existsSync(join(dir, "kubectl")) ? join(dir, "kubectl") : "kubectl";
}

function cacheIsCurrent(dir: string): boolean {
  if (!REQUIRED.every((name) => existsSync(join(dir, name)))) return false;
  const { kubernetes } = pinnedVersions();
  const printed = spawnSync(join(dir, "kube-apiserver"), ["--version"], { encoding: "utf8" });
  return printed.stdout.trim() === `Kubernetes v${kubernetes}`;
}

/** Whether the Go toolchain is on PATH. */
export function hasGo(): boolean {
  return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
}

/** One binary to build: the wrapper module it comes from and its main package. */
interface Target {
  readonly name: (typeof REQUIRED)[number];
  readonly module: "kubernetes" | "etcd";
  readonly pkg: string;
}

const TARGETS: readonly Target[] = [
  { name: "etcd", module: "etcd", pkg: "go.etcd.io/etcd/server/v3" },
  { name: "kube-apiserver", module: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-apiserver" },
  { name: "kube-controller-manager", module: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager" },
];

/**
 * Builds the binaries into the cache with the ordinary `go` client and the local toolchain only
 * (GOTOOLCHAIN=local: no other toolchain is ever downloaded), one after another so they share GOCACHE.
 * Written to a scratch directory and renamed into place, so an interrupted build is never taken as done.
 */
export function buildAssets(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Assets {
  const dir = cacheDir(env);
  const scratch = `${dir}.partial-${String(process.pid)}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const { kubernetes } = pinnedVersions();
  const goEnv = { ...env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" };
  for (const target of TARGETS) {
    const started = Date.now();
    log(`building ${target.name} (${target.pkg}) ...`);
    const ldflags = target.module === "kubernetes" ? `-s -w ${versionStamp(kubernetes)}` : "-s -w";
    const built = spawnSync("go", ["build", "-p", "2", "-trimpath", "-ldflags", ldflags, "-o", join(scratch, target.name), target.pkg], {
      cwd: join(TOOLCHAIN, target.module),
      env: goEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (built.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      return { ok: false, reason: `go build ${target.pkg} failed (exit ${String(built.status)}):\n${built.stderr.slice(-4000)}` };
    }
    log(`built ${target.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
  return { ok: true, dir, origin: "built", kubectl: kubectlIn(dir) };
}

/** Without it the binaries report v0.0.0-master and kubectl prints a version-skew warning. */
function versionStamp(version: string): string {
  const [major, minor] = version.split(".");
  const values = { gitVersion: `v${version}`, gitMajor: major ?? "", gitMinor: minor ?? "", gitTreeState: "clean", gitCommit: "netguard-e2e-build", buildDate: "1970-01-01T00:00:00Z" };
  return ["k8s.io/client-go/pkg/version", "k8s.io/component-base/version"]
    .flatMap((pkg) => Object.entries(values).map(([key, value]) => `-X ${pkg}.${key}=${value}`))
    .join(" ");
}

/** The version line of a binary, for the run's log. */
export function versionOf(binary: string): string {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim().split("\n")[0] ?? "";
  } catch {
    return "unknown";
  }
}
