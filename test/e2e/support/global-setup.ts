import { buildAssets, cacheDir, findAssets, hasGo, pinnedVersions, versionOf, type Assets } from "./assets.js";
import { killLeftovers } from "./processes.js";

const HOW = "install Go >= 1.24 (the binaries are built from the Go module proxy) or set KUBEBUILDER_ASSETS to a directory with kube-apiserver, etcd and kube-controller-manager, then run npm run test:e2e";

/**
 * Finds or builds the control-plane binaries once per run, before any worker starts (workers inherit
 * the environment set here). Without Go and without KUBEBUILDER_ASSETS the e2e files skip with one
 * line; under CI=true that is a failure instead, never a silent skip.
 */
export default function setup(): () => void {
  const log = (line: string): void => void process.stderr.write(`e2e: ${line}\n`);
  const assets = resolve(log);
  if (assets.ok) {
    process.env["NETGUARD_E2E_ASSETS"] = assets.dir;
    process.env["NETGUARD_E2E_KUBECTL"] = assets.kubectl;
    log(`control plane from ${assets.origin} ${assets.dir}: ${versionOf(`${assets.dir}/kube-apiserver`)}, etcd ${pinnedVersions().etcd}; kubectl ${assets.kubectl}`);
  } else {
    if (process.env["CI"] === "true") throw new Error(`e2e: cannot start the control plane under CI: ${assets.reason}`);
    process.env["NETGUARD_E2E_SKIP"] = assets.reason;
    log(`skipping the e2e suite (${assets.reason}): ${HOW}`);
  }
  return () => {
    const tmp = process.env["NETGUARD_TEST_TMP"];
    const killed = tmp ? killLeftovers(tmp) : [];
    if (killed.length > 0) log(`killed processes left running: ${killed.join(", ")}`);
  };
}

function resolve(log: (line: string) => void): Assets {
  const found = findAssets();
  if (found.ok || process.env["KUBEBUILDER_ASSETS"]) return found;
  if (!hasGo()) return { ok: false, reason: "no Go toolchain and no KUBEBUILDER_ASSETS" };
  log(`building the control plane into ${cacheDir()} (once per pinned version; a cold build takes several minutes) ...`);
  return buildAssets(log);
}
