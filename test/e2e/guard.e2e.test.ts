import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";
import { webDeployment as deployment, webIngressPolicy as policy } from "./support/web-app.js";

const SHIPPED_POLICY = readFileSync(join(import.meta.dirname, "..", "..", "config", "policy", "policy.yaml"), "utf8");
/** The shipped policy with the guard turned to deny, as a team that wants the rule to hold would. */
const GUARD_DENY = SHIPPED_POLICY.replace("whenUnverified: deny}", "whenUnverified: deny, guard: deny}");
const NETWORK_DENIED = 'admission webhook "network.netguard.io" denied the request: ';

const stranded = (ns: string): string =>
  `deleting NetworkPolicy ${ns}/web-ingress would leave 2 non-terminating Pods with no NetworkPolicy isolating them for ingress (Deployment ${ns}/web: 2 pods labelled app=web): add a NetworkPolicy that selects them first, or delete the workloads first`;

describeE2e("guarding NetworkPolicy deletes on a real control plane", () => {
  const env = useE2eEnvironment({ netguard: { policy: GUARD_DENY } });
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });
  /** The NetworkPolicy first, then the Deployment, and its two Pods admitted (the controller creates them). */
  const deployApp = async (ns: string): Promise<void> => {
    await createNamespace(env.plane(), ns);
    expect((await kubectl(["apply", "-f", "-"], policy(ns))).code).toBe(0);
    expect((await kubectl(["apply", "-f", "-"], deployment(ns))).code).toBe(0);
    await waitFor(`2 Pods in ${ns}`, async () => ((await kubectl(["get", "pods", "-n", ns, "-l", "app=web", "-o", "name"])).stdout.trim().split("\n").filter(Boolean).length === 2 ? true : undefined), { timeoutMs: 30_000 });
  };

  it("kubectl delete networkpolicy --dry-run=server shows what it would strand; the real delete gets the same denial and the policy stays", async () => {
    const ns = "e2e-guard-delete";
    await deployApp(ns);
    const denial = { code: 1, stdout: "", stderr: `Error from server (Forbidden): ${NETWORK_DENIED}${stranded(ns)}\n` };
    expect(await kubectl(["delete", "networkpolicy", "web-ingress", "-n", ns, "--dry-run=server"])).toEqual(denial);
    expect(await kubectl(["delete", "networkpolicy", "web-ingress", "-n", ns])).toEqual(denial);
    expect(await kubectl(["get", "networkpolicy", "-n", ns, "-o", "name"])).toEqual({ code: 0, stdout: "networkpolicy.networking.k8s.io/web-ingress\n", stderr: "" });
    // A covering policy added first: then the delete goes through.
    expect((await kubectl(["apply", "-f", "-"], policy(ns).replace("name: web-ingress", "name: default-deny").replace("{matchLabels: {app: web}}", "{}"))).code).toBe(0);
    expect(await kubectl(["delete", "networkpolicy", "web-ingress", "-n", ns])).toEqual({ code: 0, stdout: 'networkpolicy.networking.k8s.io "web-ingress" deleted\n', stderr: "" });
  });

  it("kubectl delete -f of an app: the Deployment first, then its NetworkPolicy, succeeds", async () => {
    const ns = "e2e-guard-teardown";
    await deployApp(ns);
    expect(await kubectl(["delete", "-f", "-"], `${deployment(ns)}---\n${policy(ns)}`)).toEqual({
      code: 0,
      stdout: 'deployment.apps "web" deleted\nnetworkpolicy.networking.k8s.io "web-ingress" deleted\n',
      stderr: "",
    });
  });

  it("kubectl delete -f with the NetworkPolicy first: its denial says to delete the workloads first; the Deployment goes, and then the policy can", async () => {
    const ns = "e2e-guard-policy-first";
    await deployApp(ns);
    expect(await kubectl(["delete", "-f", "-"], `${policy(ns)}---\n${deployment(ns)}`)).toEqual({
      code: 1,
      stdout: 'deployment.apps "web" deleted\n',
      stderr: `Error from server (Forbidden): error when deleting "STDIN": ${NETWORK_DENIED}${stranded(ns)}\n`,
    });
    const again = await waitFor("the policy delete to go through once the workloads are gone", async () => {
      const run = await kubectl(["delete", "networkpolicy", "web-ingress", "-n", ns]);
      return run.code === 0 ? run : undefined;
    }, { timeoutMs: 30_000 });
    expect(again.stdout).toBe('networkpolicy.networking.k8s.io "web-ingress" deleted\n');
  });

  it("kubectl delete namespace always works: the namespace controller's deletes skip the webhook", async () => {
    const ns = "e2e-guard-namespace";
    await deployApp(ns);
    expect(await kubectl(["delete", "namespace", ns, "--wait=false"])).toEqual({ code: 0, stdout: `namespace "${ns}" deleted\n`, stderr: "" });
    await waitFor(`namespace ${ns} to be gone`, async () => ((await kubectl(["get", "namespace", ns])).code === 1 ? true : undefined), { timeoutMs: 60_000 });
    const decisions = env.netguard().decisions().filter((line) => line["namespace"] === ns && line["operation"] === "DELETE");
    expect(decisions).toEqual([]);
  });

  it("an edit that narrows the selector is guarded like a delete", async () => {
    const ns = "e2e-guard-edit";
    await deployApp(ns);
    const narrowed = policy(ns).replace("{matchLabels: {app: web}}", "{matchLabels: {app: web, tier: edge}}");
    expect(await kubectl(["replace", "-f", "-"], narrowed)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `Error from server (Forbidden): error when replacing "STDIN": ${NETWORK_DENIED}this change to NetworkPolicy ${ns}/web-ingress would leave 2 non-terminating Pods with no NetworkPolicy isolating them for ingress ` +
        `(Deployment ${ns}/web: 2 pods labelled app=web): add a NetworkPolicy that selects them first, or keep this policy selecting them\n`,
    });
    // An edit of the ingress rules alone changes no coverage: not guarded.
    const withRules = `${policy(ns)}  ingress: [{from: [{podSelector: {}}]}]\n`;
    expect(await kubectl(["replace", "-f", "-"], withRules)).toEqual({ code: 0, stdout: "networkpolicy.networking.k8s.io/web-ingress replaced\n", stderr: "" });
  });
});
