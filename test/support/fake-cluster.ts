import { startFakeKubeApi, type FakeApiOptions } from "./fake-kube-api.js";
import { issue, makeCa } from "./pki.js";

/** A fake API server with its own CA and a kubeconfig that trusts it. */
export async function startFakeCluster(options: Partial<FakeApiOptions> = {}) {
  const ca = await makeCa("fake apiserver CA");
  const serving = await issue(ca);
  return startFakeKubeApi({ ca, serving, bookmarkMs: 1000, ...options });
}
