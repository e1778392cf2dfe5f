import { describe, expect, it } from "vitest";
import { readCoveragePolicy } from "../../../src/kube/coverage/read-coverage-policy.js";
import type { CoverageVerdict, PodIdentity } from "../../../src/kube/coverage/source.js";
import type { KubeObject } from "../../../src/kube/object.js";

type Json = Record<string, unknown>;

function object(apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Json): KubeObject {
  return { ref: { apiVersion, kind, name, namespace }, body: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...body }, annotations: {}, labels: {} };
}

const pod = (namespace: string, labels: Record<string, string> = {}, extra: Partial<PodIdentity> = {}): PodIdentity => ({ namespace, labels, serviceAccount: "default", hostNetwork: false, ...extra });
const NS = (name: string, labels: Record<string, string> = {}): Record<string, string> => ({ "kubernetes.io/metadata.name": name, ...labels });

function judge(policy: KubeObject, subject: PodIdentity, namespaceLabels = NS(subject.namespace), tiers: Record<string, "Deny" | "Pass"> = {}): CoverageVerdict | string {
  const read = readCoveragePolicy(policy, "default", (name) => tiers[name]);
  if (read === undefined) return "not a coverage kind";
  if (read.invalid !== undefined) return `invalid: ${read.invalid}`;
  return read.judge(subject, namespaceLabels);
}

const COVERS: CoverageVerdict = { covers: true };
const NOT: CoverageVerdict = { covers: false, nearMiss: undefined };
const cnp = (namespace: string, body: Json): KubeObject => object("cilium.io/v2", "CiliumNetworkPolicy", "p", namespace, body);
const ccnp = (body: Json): KubeObject => object("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "p", undefined, body);

describe("CiliumNetworkPolicy (reference §5.1)", () => {
  it.each<[string, KubeObject, PodIdentity, CoverageVerdict | string]>([
    ["1: endpointSelector {} with ingress [{}] covers every pod of its namespace", cnp("shop", { spec: { endpointSelector: {}, ingress: [{}] } }), pod("shop", { app: "x" }), COVERS],
    ["1: not the pods of another namespace", cnp("shop", { spec: { endpointSelector: {}, ingress: [{}] } }), pod("other"), NOT],
    ["2: ingressDeny alone switches default deny on", cnp("shop", { spec: { endpointSelector: { matchLabels: { app: "web" } }, ingressDeny: [{ fromEntities: ["world"] }] } }), pod("shop", { app: "web" }), COVERS],
    [
      "2: enableDefaultDeny.ingress false does not isolate",
      cnp("shop", { spec: { endpointSelector: { matchLabels: { app: "web" } }, ingressDeny: [{ fromEntities: ["world"] }], enableDefaultDeny: { ingress: false } } }),
      pod("shop", { app: "web" }),
      { covers: false, nearMiss: "CiliumNetworkPolicy shop/p selects these pods but sets enableDefaultDeny.ingress: false (it does not isolate them)" },
    ],
    [
      "3: one rule without sections drops the whole object (1.18+)",
      cnp("shop", { specs: [{ endpointSelector: {}, ingress: [{}] }, { endpointSelector: {}, description: "todo" }] }),
      pod("shop"),
      "invalid: specs[1] has none of ingress, ingressDeny, egress, egressDeny",
    ],
    ["4: the namespace is overwritten: pods of the policy's namespace", cnp("a", { spec: { endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "b" } }, ingress: [{}] } }), pod("a"), COVERS],
    ["4: and not those of the named one", cnp("a", { spec: { endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "b" } }, ingress: [{}] } }), pod("b"), NOT],
    ["5: a key outside identities selects nothing", cnp("shop", { spec: { endpointSelector: { matchLabels: { "pod-template-hash": "7c9f" } }, ingress: [{}] } }), pod("shop", { "pod-template-hash": "7c9f" }), NOT],
    ["app.kubernetes.io keys are kept", cnp("shop", { spec: { endpointSelector: { matchLabels: { "app.kubernetes.io/name": "web" } }, ingress: [{}] } }), pod("shop", { "app.kubernetes.io/name": "web" }), COVERS],
    ["k8s: and any: prefixes match pod labels", cnp("shop", { spec: { endpointSelector: { matchLabels: { "k8s:app": "web", "any:tier": "a" } }, ingress: [{}] } }), pod("shop", { app: "web", tier: "a" }), COVERS],
    ["another source never matches a pod", cnp("shop", { spec: { endpointSelector: { matchLabels: { "reserved:host": "" } }, ingress: [{}] } }), pod("shop"), NOT],
    ["the service account is a label", cnp("shop", { spec: { endpointSelector: { matchLabels: { "io.cilium.k8s.policy.serviceaccount": "api" } }, ingress: [{}] } }), pod("shop", {}, { serviceAccount: "api" }), COVERS],
    [
      "egress only: selected, no ingress section",
      cnp("shop", { spec: { endpointSelector: {}, egress: [{}] } }),
      pod("shop"),
      { covers: false, nearMiss: "CiliumNetworkPolicy shop/p selects these pods but has no ingress or ingressDeny section" },
    ],
    ["a nodeSelector in a namespaced policy drops it", cnp("shop", { spec: { nodeSelector: {}, ingress: [{}] } }), pod("shop"), "invalid: spec.nodeSelector is allowed only in a CiliumClusterwideNetworkPolicy"],
    ["both selectors in one rule drop it", cnp("shop", { spec: { endpointSelector: {}, nodeSelector: {}, ingress: [{}] } }), pod("shop"), "invalid: spec needs exactly one of endpointSelector and nodeSelector"],
    ["neither spec nor specs", cnp("shop", {}), pod("shop"), "invalid: it has neither spec nor specs"],
    ["hostNetwork pods share the node's identity", cnp("shop", { spec: { endpointSelector: {}, ingress: [{}] } }), pod("shop", {}, { hostNetwork: true }), NOT],
  ])("%s", (_, policy, subject, expected) => {
    expect(judge(policy, subject)).toEqual(expected);
  });
});

describe("CiliumClusterwideNetworkPolicy (reference §5.2)", () => {
  it.each<[string, KubeObject, PodIdentity, Record<string, string>, CoverageVerdict | string]>([
    ["1: a namespace label key scopes it", ccnp({ spec: { endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "prod" } }, ingress: [{ fromEndpoints: [{}] }] } }), pod("prod"), NS("prod"), COVERS],
    ["1: other namespaces are not selected", ccnp({ spec: { endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "prod" } }, ingress: [{}] } }), pod("dev"), NS("dev"), NOT],
    [
      "2: no ingress section and default deny off: not covered",
      ccnp({ spec: { endpointSelector: { matchExpressions: [{ key: "io.kubernetes.pod.namespace", operator: "NotIn", values: ["kube-system"] }] }, enableDefaultDeny: { ingress: false, egress: false }, egress: [{ toPorts: [] }] } }),
      pod("shop"),
      NS("shop"),
      { covers: false, nearMiss: "CiliumClusterwideNetworkPolicy p selects these pods but has no ingress or ingressDeny section" },
    ],
    ["3: a node rule covers no pod, hostNetwork included", ccnp({ spec: { nodeSelector: {}, ingress: [{ fromEntities: ["cluster"] }] } }), pod("shop", {}, { hostNetwork: true }), NS("shop"), NOT],
    ["3: nor an ordinary pod", ccnp({ spec: { nodeSelector: {}, ingress: [{}] } }), pod("shop"), NS("shop"), NOT],
    ["4: namespace labels", ccnp({ spec: { endpointSelector: { matchLabels: { "k8s:io.cilium.k8s.namespace.labels.team": "pay" } }, ingress: [{}] } }), pod("p1"), NS("p1", { team: "pay" }), COVERS],
    ["endpointSelector {} covers every pod", ccnp({ spec: { endpointSelector: {}, ingress: [{}] } }), pod("any"), NS("any"), COVERS],
  ])("%s", (_, policy, subject, namespaceLabels, expected) => {
    expect(judge(policy, subject, namespaceLabels)).toEqual(expected);
  });
});

const calico = (apiVersion: string, kind: string, namespace: string | undefined, spec: Json): KubeObject => object(apiVersion, kind, "x", namespace, { spec });
const v3 = "projectcalico.org/v3";
const v1 = "crd.projectcalico.org/v1";

describe("Calico NetworkPolicy (reference §5.3)", () => {
  it.each<[string, KubeObject, PodIdentity, Record<string, "Deny" | "Pass">, CoverageVerdict | string]>([
    ["1: empty selector, types [Ingress]: every pod of the namespace", calico(v3, "NetworkPolicy", "shop", { selector: "", types: ["Ingress"] }), pod("shop", { app: "a" }), {}, COVERS],
    ["1: not another namespace's", calico(v3, "NetworkPolicy", "shop", { types: ["Ingress"] }), pod("other"), {}, NOT],
    [
      "2: v3 with only egress rules defaults to [Egress]",
      calico(v3, "NetworkPolicy", "shop", { selector: "app == 'web'", egress: [{ action: "Allow" }] }),
      pod("shop", { app: "web" }),
      {},
      { covers: false, nearMiss: "Calico NetworkPolicy shop/x selects these pods but its types are [Egress] (no Ingress)" },
    ],
    ["2: the same raw crd.projectcalico.org/v1 governs both directions", calico(v1, "NetworkPolicy", "shop", { selector: "app == 'web'", egress: [{ action: "Allow" }] }), pod("shop", { app: "web" }), {}, COVERS],
    [
      "3: a tier whose defaultAction is Pass",
      calico(v3, "NetworkPolicy", "shop", { tier: "security", types: ["Ingress"], ingress: [{ action: "Allow", source: { selector: "role == 'lb'" } }] }),
      pod("shop"),
      { security: "Pass" },
      { covers: false, nearMiss: "Calico NetworkPolicy shop/x is in tier security whose defaultAction is Pass: traffic it does not decide passes on" },
    ],
    ["a tier whose defaultAction is Deny", calico(v3, "NetworkPolicy", "shop", { tier: "security", types: ["Ingress"] }), pod("shop"), { security: "Deny" }, COVERS],
    ["a tier that does not exist counts as Deny (Felix)", calico(v3, "NetworkPolicy", "shop", { tier: "ghost", types: ["Ingress"] }), pod("shop"), {}, COVERS],
    ["kube-baseline is always Pass", calico(v3, "NetworkPolicy", "shop", { tier: "kube-baseline", types: ["Ingress"] }), pod("shop"), { "kube-baseline": "Deny" }, { covers: false, nearMiss: "Calico NetworkPolicy shop/x is in tier kube-baseline whose defaultAction is Pass: traffic it does not decide passes on" }],
    ["a selector on the endpoint's namespace label", calico(v3, "NetworkPolicy", "shop", { selector: "projectcalico.org/namespace == 'shop' && app == 'web'" }), pod("shop", { app: "web" }), {}, COVERS],
    ["serviceAccountSelector by name", calico(v3, "NetworkPolicy", "shop", { serviceAccountSelector: "projectcalico.org/name == 'api'" }), pod("shop", {}, { serviceAccount: "api" }), {}, COVERS],
    ["an invalid selector makes the policy invalid, never a crash", calico(v3, "NetworkPolicy", "shop", { selector: "app = 'web'" }), pod("shop"), {}, 'invalid: spec.selector: expected an operator after the label (==, !=, in, not in, contains, starts with, ends with) at character 5 of "app = \'web\'"'],
    ["a staged policy is not a coverage kind", calico(v3, "StagedNetworkPolicy", "shop", { types: ["Ingress"] }), pod("shop"), {}, "not a coverage kind"],
  ])("%s", (_, policy, subject, tiers, expected) => {
    expect(judge(policy, subject, NS(subject.namespace), tiers)).toEqual(expected);
  });
});

describe("Calico GlobalNetworkPolicy (reference §5.4)", () => {
  it.each<[string, KubeObject, PodIdentity, Record<string, string>, CoverageVerdict | string]>([
    ["1: all() with types [Ingress] covers every pod", calico(v3, "GlobalNetworkPolicy", undefined, { selector: "all()", types: ["Ingress"] }), pod("any"), NS("any"), COVERS],
    [
      "2: preDNAT policies apply to host endpoints only",
      calico(v3, "GlobalNetworkPolicy", undefined, { selector: "all()", preDNAT: true, applyOnForward: true, types: ["Ingress"] }),
      pod("any"),
      NS("any"),
      { covers: false, nearMiss: "Calico GlobalNetworkPolicy x selects these pods but sets preDNAT: true, which applies to host endpoints only" },
    ],
    ["3: prod pods without canary", calico(v3, "GlobalNetworkPolicy", undefined, { namespaceSelector: "projectcalico.org/name == 'prod'", selector: "!has(canary)", ingress: [{ action: "Deny" }] }), pod("prod"), NS("prod"), COVERS],
    ["3: not the canary pods", calico(v3, "GlobalNetworkPolicy", undefined, { namespaceSelector: "projectcalico.org/name == 'prod'", selector: "!has(canary)", ingress: [{ action: "Deny" }] }), pod("prod", { canary: "1" }), NS("prod"), NOT],
    [
      "4: egress only",
      calico(v3, "GlobalNetworkPolicy", undefined, { namespaceSelector: "team in {'a','b'}", types: ["Egress"] }),
      pod("t"),
      NS("t", { team: "a" }),
      { covers: false, nearMiss: "Calico GlobalNetworkPolicy x selects these pods but its types are [Egress] (no Ingress)" },
    ],
    ["doNotTrack never covers pods", calico(v3, "GlobalNetworkPolicy", undefined, { doNotTrack: true, applyOnForward: true, types: ["Ingress"] }), pod("a"), NS("a"), { covers: false, nearMiss: "Calico GlobalNetworkPolicy x selects these pods but sets doNotTrack: true, which applies to host endpoints only" }],
    ["namespace labels through kubernetes.io/metadata.name", calico(v1, "GlobalNetworkPolicy", undefined, { namespaceSelector: "kubernetes.io/metadata.name == 'a'" }), pod("a"), NS("a"), COVERS],
  ])("%s", (_, policy, subject, namespaceLabels, expected) => {
    expect(judge(policy, subject, namespaceLabels)).toEqual(expected);
  });
});

const npa = (kind: string, name: string, spec: Json): KubeObject => object(kind === "ClusterNetworkPolicy" ? "policy.networking.k8s.io/v1alpha2" : "policy.networking.k8s.io/v1alpha1", kind, name, undefined, { spec });

describe("network-policy-api kinds: only a deny from every pod on every port covers (reference §5.5, §5.6)", () => {
  it.each<[string, KubeObject, PodIdentity, Record<string, string>, CoverageVerdict | string]>([
    ["CNP 1: Baseline deny from every namespace", npa("ClusterNetworkPolicy", "zero-trust", { tier: "Baseline", priority: 1, subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }), pod("any"), NS("any"), COVERS],
    [
      "CNP 2: Accept from monitoring, then deny from all",
      npa("ClusterNetworkPolicy", "pay", {
        tier: "Admin",
        priority: 5,
        subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "pay" } } },
        ingress: [{ action: "Accept", from: [{ namespaces: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }, { action: "Deny", from: [{ namespaces: {} }] }],
      }),
      pod("pay"),
      NS("pay"),
      COVERS,
    ],
    ["CNP 2: other namespaces are not its subject", npa("ClusterNetworkPolicy", "pay", { subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "pay" } } }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }), pod("shop"), NS("shop"), NOT],
    [
      "CNP 3: Accept and Pass only isolate nothing",
      npa("ClusterNetworkPolicy", "open", { tier: "Admin", subject: { namespaces: {} }, ingress: [{ action: "Pass", from: [{ namespaces: {} }] }] }),
      pod("a"),
      NS("a"),
      { covers: false, nearMiss: "ClusterNetworkPolicy open selects these pods but has no ingress Deny rule (these policies isolate nothing by themselves)" },
    ],
    [
      "CNP 4: a port-scoped deny is partial",
      npa("ClusterNetworkPolicy", "ssh", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 22 } } }] }] }),
      pod("a"),
      NS("a"),
      { covers: false, nearMiss: "ClusterNetworkPolicy ssh selects these pods but has no ingress Deny rule from every namespace on every port (a deny limited to some peers or protocols is partial)" },
    ],
    ["CNP: pods peer with both selectors empty", npa("ClusterNetworkPolicy", "p", { subject: { pods: { podSelector: { matchLabels: { app: "db" } } } }, ingress: [{ action: "Deny", from: [{ pods: { namespaceSelector: {}, podSelector: {} } }] }] }), pod("a", { app: "db" }), NS("a"), COVERS],
    ["CNP: hostNetwork pods are never subjects", npa("ClusterNetworkPolicy", "p", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }), pod("a", {}, { hostNetwork: true }), NS("a"), NOT],
    ["BANP 1: default, deny from every namespace", npa("BaselineAdminNetworkPolicy", "default", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }), pod("a"), NS("a"), COVERS],
    ["BANP must be named default", npa("BaselineAdminNetworkPolicy", "other", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }), pod("a"), NS("a"), 'invalid: a BaselineAdminNetworkPolicy must be named "default"'],
    [
      "ANP 2: db pods",
      npa("AdminNetworkPolicy", "db", { priority: 3, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } }, ingress: [{ action: "Allow", from: [{ namespaces: {} }] }, { action: "Deny", from: [{ pods: { namespaceSelector: {}, podSelector: {} } }] }] }),
      pod("a", { app: "db" }),
      NS("a"),
      COVERS,
    ],
    [
      "ANP 3: a deny from some namespaces is partial",
      npa("AdminNetworkPolicy", "dev", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }] }] }),
      pod("a"),
      NS("a"),
      { covers: false, nearMiss: "AdminNetworkPolicy dev selects these pods but has no ingress Deny rule from every namespace on every port (a deny limited to some peers or ports is partial)" },
    ],
  ])("%s", (_, policy, subject, namespaceLabels, expected) => {
    expect(judge(policy, subject, namespaceLabels)).toEqual(expected);
  });
});
