import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheRoot } from "../e2e/support/assets.js";

const TOOLCHAIN = join(import.meta.dirname, "..", "e2e", "toolchain");

/** A tool the tests run, built from the Go module proxy into the cache, never into the repository. */
export interface GoTool {
  readonly name: string;
  /** The wrapper module under test/e2e/toolchain. */
  readonly module: string;
  readonly pkg: string;
  /** The module whose version names the cache entry. */
  readonly versionOf: string;
  readonly ldflags: (version: string) => string;
}

/** helm, for the chart's tests (template, lint, install, upgrade, uninstall). */
export const HELM: GoTool = {
  name: "helm",
  module: "helm",
  pkg: "helm.sh/helm/v4/cmd/helm",
  versionOf: "helm.sh/helm/v4",
  ldflags: (version) => `-s -w -X helm.sh/helm/v4/internal/version.version=v${version}`,
};

/** promtool, for the alert rules' tests (promtool check rules, promtool test rules). */
export const PROMTOOL: GoTool = {
  name: "promtool",
  module: "promtool",
  pkg: "github.com/prometheus/prometheus/cmd/promtool",
  versionOf: "github.com/prometheus/prometheus",
  ldflags: (version) => `-s -w -X github.com/prometheus/common/version.Version=${version}`,
};

/** The version the wrapper module pins. */
export function pinnedVersion(tool: GoTool): string {
  const goMod = readFileSync(join(TOOLCHAIN, tool.module, "go.mod"), "utf8");
  const match = new RegExp(`^\\s*${tool.versionOf.replaceAll(".", "\\.")}\\s+v(\\S+)`, "m").exec(goMod);
  if (!match?.[1]) throw new Error(`${tool.module}/go.mod does not require ${tool.versionOf}`);
  return match[1];
}

/** <cache>/tools/<name>-<version>-<os>-<arch>/<name>, beside the control plane's cache. */
export function toolPath(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
  const root = cacheRoot(env);
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return join(root, "tools", `${tool.name}-${pinnedVersion(tool)}-${process.platform}-${arch}`, tool.name);
}

/** The cached binary, or one built now with the machine's Go (GOTOOLCHAIN=local); undefined with the reason when neither. */
export function findOrBuild(tool: GoTool, log: (line: string) => void): { ok: true; path: string } | { ok: false; reason: string } {
  const path = toolPath(tool);
  if (existsSync(path)) return { ok: true, path };
  if (spawnSync("go", ["version"]).status !== 0) return { ok: false, reason: `no ${tool.name} in ${path} and no Go toolchain to build it` };
  const scratch = `${resolve(path, "..")}.partial-${String(process.pid)}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const started = Date.now();
  log(`building ${tool.name} ${pinnedVersion(tool)} (${tool.pkg}) into ${path} ...`);
  const built = spawnSync("go", ["build", "-p", "2", "-trimpath", "-ldflags", tool.ldflags(pinnedVersion(tool)), "-o", join(scratch, tool.name), tool.pkg], {
    cwd: join(TOOLCHAIN, tool.module),
    env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (built.status !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    return { ok: false, reason: `go build ${tool.pkg} failed (exit ${String(built.status)}):\n${built.stderr.slice(-4000)}` };
  }
  rmSync(resolve(path, ".."), { recursive: true, force: true });
  renameSync(scratch, resolve(path, ".."));
  log(`built ${tool.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { ok: true, path };
}
