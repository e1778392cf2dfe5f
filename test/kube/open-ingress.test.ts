import { describe, expect, it } from "vitest";
import { readCoveragePolicy } from "../../src/kube/coverage/read-coverage-policy.js";
import type { PodIdentity } from "../../src/kube/coverage/source.js";
import { readNetworkPolicy } from "../../src/kube/network-policy.js";
import type { KubeObject } from "../../src/kube/object.js";
import { describeOpening, wholeFamilies } from "../../src/kube/open-ingress.js";

type Json = Record<string, unknown>;

function object(apiVersion: string, kind: string, namespace: string | undefined, body: Json): KubeObject {
  return { ref: { apiVersion, kind, name: "p", namespace }, body: { apiVersion, kind, metadata: { name: "p", ...(namespace ? { namespace } : {}) }, ...body }, annotations: {}, labels: {} };
}

const POD: PodIdentity = { namespace: "shop", labels: { app: "web" }, serviceAccount: "default", hostNetwork: false };
const NS = { "kubernetes.io/metadata.name": "shop" };
const EVERY_POD = { namespaceSelector: {} };
const V4 = { ipBlock: { cidr: "0.0.0.0/0" } };
const V6 = { ipBlock: { cidr: "::/0" } };

/** The opening rule's text for a NetworkPolicy spec, or "closed". */
function networkPolicy(spec: Json): string {
  const facts = readNetworkPolicy(object("networking.k8s.io/v1", "NetworkPolicy", "shop", { spec }), "shop");
  return facts.opening ? describeOpening(facts.opening) : "closed";
}

/** The opening rule's text a coverage policy gives the pod, or "closed". */
function coverage(policy: KubeObject): string {
  const read = readCoveragePolicy(policy, "shop", () => undefined);
  if (read === undefined || read.invalid !== undefined) return `unreadable: ${read?.invalid ?? "not a coverage kind"}`;
  const opening = read.judge(POD, NS).opening;
  return opening ? describeOpening(opening) : "closed";
}

describe("NetworkPolicy: which ingress rules open the pods to every source on every port", () => {
  const open = (rule: string, why: string): string => `NetworkPolicy "p" ${rule} admits every source on every port (${why})`;
  it.each<[string, Json, string]>([
    ["an empty rule opens", { podSelector: {}, ingress: [{}] }, open("spec.ingress[0]", "no from, no ports")],
    ["an empty from and empty ports open", { podSelector: {}, ingress: [{ from: [], ports: [] }] }, open("spec.ingress[0]", "no from, no ports")],
    ["the first open rule is named", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, {}] }, open("spec.ingress[1]", "no from, no ports")],
    ["every namespace and both address families open", { ingress: [{ from: [EVERY_POD, V4, V6] }] }, open("spec.ingress[0]", "from every namespace and 0.0.0.0/0 and ::/0, no ports")],
    ["an empty podSelector beside namespaceSelector {} still admits every pod", { ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }, V4, V6] }] }, open("spec.ingress[0]", "from every namespace and 0.0.0.0/0 and ::/0, no ports")],
    ["a deny-all (no rules) is closed", { podSelector: {}, policyTypes: ["Ingress"] }, "closed"],
    ["ports narrow", { ingress: [{ ports: [{ port: 80 }] }] }, "closed"],
    ["every namespace alone does not admit addresses outside the cluster", { ingress: [{ from: [EVERY_POD] }] }, "closed"],
    ["IPv4 only leaves IPv6 closed", { ingress: [{ from: [EVERY_POD, V4] }] }, "closed"],
    ["an except narrows the block", { ingress: [{ from: [EVERY_POD, { ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }, V6] }] }, "closed"],
    ["a podSelector narrows namespaceSelector {}", { ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: "lb" } } }, V4, V6] }] }, "closed"],
    ["a namespace label narrows", { ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }, V4, V6] }] }, "closed"],
    ["a podSelector alone is this namespace only", { ingress: [{ from: [{ podSelector: {} }, V4, V6] }] }, "closed"],
    ["an Egress-only policy's ingress rules are not in force", { policyTypes: ["Egress"], ingress: [{}] }, "closed"],
    ["a policy the API server refuses opens nothing", { policyTypes: ["Ingres"], ingress: [{}] }, "closed"],
  ])("%s", (_, spec, expected) => {
    expect(networkPolicy(spec)).toBe(expected);
  });
});

const cnp = (body: Json): KubeObject => object("cilium.io/v2", "CiliumNetworkPolicy", "shop", body);
const ccnp = (body: Json): KubeObject => object("cilium.io/v2", "CiliumClusterwideNetworkPolicy", undefined, body);

describe("Cilium: which ingress rules open the pods (fromEntities, CIDRs, toPorts)", () => {
  const open = (kind: string, rule: string, why: string): string => `${kind} ${rule} admits every source on every port (${why})`;
  const rule = (ingress: Json): Json => ({ spec: { endpointSelector: {}, ingress: [ingress] } });
  it.each<[string, KubeObject, string]>([
    ["fromEntities all opens", cnp(rule({ fromEntities: ["all"] })), open("CiliumNetworkPolicy shop/p", "spec.ingress[0]", "fromEntities all, no toPorts")],
    ["world and cluster open", cnp(rule({ fromEntities: ["world", "cluster"] })), open("CiliumNetworkPolicy shop/p", "spec.ingress[0]", "from the world and the cluster, no toPorts")],
    ["world-ipv4 and world-ipv6 with cluster open", cnp(rule({ fromEntities: ["world-ipv4", "world-ipv6", "cluster"] })), open("CiliumNetworkPolicy shop/p", "spec.ingress[0]", "from the world and the cluster, no toPorts")],
    ["CIDRs 0.0.0.0/0 and ::/0 with cluster open", cnp(rule({ fromEntities: ["cluster"], fromCIDRSet: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }] })), open("CiliumNetworkPolicy shop/p", "spec.ingress[0]", "from the world and the cluster, no toPorts")],
    ["in a clusterwide policy fromEndpoints [{}] is the cluster", ccnp(rule({ fromEndpoints: [{}], fromEntities: ["world"] })), open("CiliumClusterwideNetworkPolicy p", "spec.ingress[0]", "from the world and the cluster, no toPorts")],
    ["a rule under specs is named by its path", cnp({ specs: [{ endpointSelector: { matchLabels: { app: "db" } }, ingress: [{ fromEntities: ["all"] }] }, { endpointSelector: {}, ingress: [{ fromEntities: ["all"] }] }] }), open("CiliumNetworkPolicy shop/p", "specs[1].ingress[0]", "fromEntities all, no toPorts")],
    ["an empty rule is Cilium's deny-all", cnp(rule({})), "closed"],
    ["toPorts narrow", cnp(rule({ fromEntities: ["all"], toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }] })), "closed"],
    ["world alone is not the cluster", cnp(rule({ fromEntities: ["world"] })), "closed"],
    ["cluster alone is not the world", cnp(rule({ fromEntities: ["cluster"] })), "closed"],
    ["in a namespaced policy fromEndpoints [{}] is its namespace only", cnp(rule({ fromEndpoints: [{}], fromEntities: ["world"] })), "closed"],
    ["a CIDR with except narrows", cnp(rule({ fromEntities: ["cluster"], fromCIDRSet: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }, { cidr: "::/0" }] })), "closed"],
    ["ingressDeny in the same rule takes precedence", cnp({ spec: { endpointSelector: {}, ingress: [{ fromEntities: ["all"] }], ingressDeny: [{ fromEntities: ["world"] }] } }), "closed"],
    ["a rule that does not select the pod opens nothing for it", cnp({ spec: { endpointSelector: { matchLabels: { app: "db" } }, ingress: [{ fromEntities: ["all"] }] } }), "closed"],
  ])("%s", (_, policy, expected) => {
    expect(coverage(policy)).toBe(expected);
  });

  it("an open rule with enableDefaultDeny.ingress: false opens the pod without isolating it", () => {
    const read = readCoveragePolicy(cnp({ spec: { endpointSelector: {}, ingress: [{ fromEntities: ["all"] }], enableDefaultDeny: { ingress: false } } }), "shop", () => undefined);
    const verdict = read?.judge(POD, NS);
    expect(verdict?.covers).toBe(false);
    expect(verdict?.opening?.rule).toBe("spec.ingress[0]");
  });
});

const calico = (spec: Json): KubeObject => object("projectcalico.org/v3", "NetworkPolicy", "shop", { spec: { selector: "all()", ...spec } });

describe("Calico: which Allow rules open the pods (rule order, source, destination)", () => {
  const open = (rule: string, why: string): string => `Calico NetworkPolicy shop/p ${rule} admits every source on every port (${why})`;
  it.each<[string, KubeObject, string]>([
    ["an Allow with no source opens", calico({ ingress: [{ action: "Allow" }] }), open("spec.ingress[0]", "Allow with no source, no ports")],
    ["an Allow from 0.0.0.0/0 and ::/0 opens", calico({ ingress: [{ action: "Allow", source: { nets: ["0.0.0.0/0", "::/0"] } }] }), open("spec.ingress[0]", "Allow from 0.0.0.0/0 and ::/0, no ports")],
    ["a Log rule before it does not act", calico({ ingress: [{ action: "Log" }, { action: "Allow" }] }), open("spec.ingress[1]", "Allow with no source, no ports")],
    ["in a Pass tier the Allow is still final", calico({ tier: "kube-admin", ingress: [{ action: "Allow" }] }), open("spec.ingress[0]", "Allow with no source, no ports")],
    ["a Deny before it acts first", calico({ ingress: [{ action: "Deny", source: { nets: ["10.0.0.0/8"] } }, { action: "Allow" }] }), "closed"],
    ["a Pass before it acts first", calico({ ingress: [{ action: "Pass" }, { action: "Allow" }] }), "closed"],
    ["a source selector narrows", calico({ ingress: [{ action: "Allow", source: { selector: "all()" } }] }), "closed"],
    ["a namespaceSelector narrows", calico({ ingress: [{ action: "Allow", source: { namespaceSelector: "all()" } }] }), "closed"],
    ["IPv4 only leaves IPv6 closed", calico({ ingress: [{ action: "Allow", source: { nets: ["0.0.0.0/0"] } }] }), "closed"],
    ["destination ports narrow", calico({ ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [80] } }] }), "closed"],
    ["a protocol narrows", calico({ ingress: [{ action: "Allow", protocol: "UDP" }] }), "closed"],
    ["an Egress-only policy", calico({ types: ["Egress"], ingress: [{ action: "Allow" }] }), "closed"],
  ])("%s", (_, policy, expected) => {
    expect(coverage(policy)).toBe(expected);
  });
});

describe("the network-policy-api never opens ingress to every source", () => {
  it.each<[string, KubeObject]>([
    ["an AdminNetworkPolicy Allow from every namespace", object("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", undefined, { spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ action: "Allow", from: [{ namespaces: {} }] }] } })],
    ["a ClusterNetworkPolicy Accept from every pod", object("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", undefined, { spec: { tier: "Admin", priority: 1, subject: { namespaces: {} }, ingress: [{ action: "Accept", from: [{ pods: { namespaceSelector: {}, podSelector: {} } }] }] } })],
  ])("%s: its ingress peers name only Pods, never addresses outside the cluster", (_, policy) => {
    expect(coverage(policy)).toBe("closed");
  });
});

describe("wholeFamilies", () => {
  it.each<[string[], { v4: boolean; v6: boolean }]>([
    [["0.0.0.0/0"], { v4: true, v6: false }],
    [["::/0", "10.0.0.0/8"], { v4: false, v6: true }],
    [["0.0.0.0/0", "::/0"], { v4: true, v6: true }],
    [["0.0.0.0/1", "128.0.0.0/1"], { v4: false, v6: false }],
  ])("%j", (cidrs, expected) => {
    expect(wholeFamilies(cidrs)).toEqual(expected);
  });
});
