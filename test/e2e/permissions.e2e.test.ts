import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startControlPlane, type ControlPlane } from "./support/control-plane.js";
import { kustomizeInstall } from "./support/netguard.js";
import { describeE2e, e2eAssets } from "./support/suite.js";

const ACCOUNT = "system:serviceaccount:netguard-system:netguard-controller";
const RBAC_KINDS = new Set(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);
const WRITES = new Set(["create", "update", "patch", "delete", "deletecollection", "*", "escalate", "bind", "impersonate"]);

/** Every authenticated identity may ask who it is and what it may do (system:basic-user): not a write to any object. */
const ASK_ABOUT_ITSELF = ["create selfsubjectaccessreviews.authorization.k8s.io", "create selfsubjectreviews.authentication.k8s.io", "create selfsubjectrulesreviews.authorization.k8s.io"];
const WAKE_UP = ["patch daemonsets.apps", "patch jobs.batch", "patch replicasets.apps", "patch replicationcontrollers", "patch statefulsets.apps"];
const OWN_CERTIFICATES = ["update secrets [netguard-webhook-server-cert]", "update validatingwebhookconfigurations.admissionregistration.k8s.io [netguard-validating-webhook]"];

/** Each shipped install path, with the writes it may grant: nothing but netguard's own objects, by name, unless opted in. */
const REPORTER = "system:serviceaccount:netguard-system:netguard-reporter";
const OWN_REPORTS = ["policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io", "reports.openreports.io", "clusterreports.openreports.io"].flatMap((resource) =>
  ["create", "patch", "delete"].map((verb) => `${verb} ${resource} [netguard]`),
);

const INSTALLS: readonly { name: string; install: string; components: readonly string[]; writes: readonly string[]; account?: string }[] = [
  { name: "the default install (kubectl apply -k .)", install: ".", components: [], writes: ASK_ABOUT_ITSELF },
  { name: "with config/sources/cilium", install: ".", components: ["config/sources/cilium"], writes: ASK_ABOUT_ITSELF },
  { name: "with config/sources/calico", install: ".", components: ["config/sources/calico"], writes: ASK_ABOUT_ITSELF },
  { name: "with config/sources/network-policy-api", install: ".", components: ["config/sources/network-policy-api"], writes: ASK_ABOUT_ITSELF },
  { name: "with the opt-in config/wake-controllers", install: ".", components: ["config/wake-controllers"], writes: [...ASK_ABOUT_ITSELF, ...WAKE_UP] },
  { name: "config/self-managed", install: "config/self-managed", components: [], writes: [...ASK_ABOUT_ITSELF, ...OWN_CERTIFICATES] },
  { name: "with the opt-in config/reports: the webhook's account gains nothing", install: ".", components: ["config/reports"], writes: ASK_ABOUT_ITSELF },
  { name: "with the opt-in config/reports: its reporter writes only reports named netguard", install: ".", components: ["config/reports"], writes: [...ASK_ABOUT_ITSELF, ...OWN_REPORTS], account: REPORTER },
];

/**
 * What the API server says netguard's ServiceAccount may do (`kubectl auth can-i --list --as=…`, in
 * netguard's namespace and in another), for every install path: a write beyond the allowed set fails.
 */
describeE2e("netguard's ServiceAccount may write only what it owns", () => {
  let plane: ControlPlane | undefined;
  beforeAll(async () => {
    const assets = e2eAssets();
    if (assets) plane = await startControlPlane(assets, { controllerManager: false });
  }, 180_000);
  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it.each(INSTALLS)("$name", async ({ install, components, writes, account = ACCOUNT }) => {
    if (!plane) throw new Error("the control plane did not start");
    const current = plane;
    const objects = parseAllDocuments(await kustomizeInstall(current, components, install))
      .map((doc) => doc.toJS() as { kind: string })
      .filter((object) => RBAC_KINDS.has(object.kind));
    const list = JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });
    expect((await current.kubectl(["apply", "-f", "-"], { stdin: list })).code).toBe(0);
    try {
      const granted = new Set<string>();
      for (const namespace of ["netguard-system", "default"]) {
        const listed = await current.kubectl(["auth", "can-i", "--list", `--as=${account}`, "-n", namespace]);
        expect(listed.code, listed.stderr).toBe(0);
        for (const write of writesOf(listed.stdout)) granted.add(write);
      }
      expect([...granted].sort()).toEqual([...writes].sort());
    } finally {
      const roles = objects.filter((object) => object.kind !== "Namespace" && object.kind !== "ServiceAccount");
      await current.kubectl(["delete", "-f", "-", "--wait=false"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: roles }) });
    }
  });
});

/** The write verbs of `kubectl auth can-i --list`'s table, one "verb resource [names]" each. */
function writesOf(table: string): string[] {
  const rows = table.trim().split("\n").slice(1);
  return rows.flatMap((row) => {
    const [resource = "", , names = "[]", verbs = "[]"] = row.trim().split(/\s{2,}/);
    const named = names === "[]" ? "" : ` ${names}`;
    return verbs
      .replace(/^\[|\]$/g, "")
      .split(" ")
      .filter((verb) => WRITES.has(verb))
      .map((verb) => `${verb} ${resource}${named}`);
  });
}
