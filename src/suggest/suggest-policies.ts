import type { Finding } from "../engine/types.js";
import { asObject, asString, asStringMap } from "../kube/fields.js";
import { isNetworkPolicy } from "../kube/network-policy.js";
import { describeRef, type KubeObject, type ObjectRef, type SourceRef } from "../kube/object.js";
import { controllerOf, OWNER_KINDS } from "../kube/owners.js";
import { readPod, type PodView } from "../kube/pod-template.js";
import { isService } from "../kube/service.js";

/** A NetworkPolicy proposed for one workload, or only the reason none can be (then policy is undefined). */
export interface Suggestion {
  readonly for: ObjectRef;
  readonly source: SourceRef | undefined;
  /** What the policy does and what it leaves to the reader, one line each; the first is about the object itself. */
  readonly comments: readonly string[];
  readonly policy: Readonly<Record<string, unknown>> | undefined;
}

/** Labels controllers stamp on the Pods they create: a policy selecting on them selects one generation of Pods. */
const GENERATED_LABELS = new Set(["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name", "batch.kubernetes.io/job-completion-index", "pod-template-generation"]);

/** Kinds whose spec.selector is a LabelSelector a policy can reuse (a Job's is generated, a CronJob has none). */
const SELECTOR_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"]);

/** Names are DNS subdomains: at most 253 characters. */
const MAX_NAME = 253;

interface PolicyPort {
  readonly port: number;
  readonly protocol: string;
}

/**
 * For every object with an ingress-policy finding, a NetworkPolicy that would cover it: its pods
 * selected, ingress only from Pods of the same namespace on the ports it declares, plus what the
 * input says of its Services (load balancer source ranges, or the world for a LoadBalancer or NodePort
 * Service), always on named ports, so never open to every source on every port.
 */
export function suggestPolicies(objects: readonly KubeObject[], findings: readonly Finding[], defaultNamespace: string): Suggestion[] {
  const namesTaken = new Set(objects.filter(isNetworkPolicy).map((object) => `${object.ref.namespace ?? defaultNamespace}/${object.ref.name}`));
  const present = new Set(objects.map((object) => `${object.ref.namespace ?? defaultNamespace}/${object.ref.kind}/${object.ref.name}`));
  const suggestions: Suggestion[] = [];
  const seen = new Set<ObjectRef>();
  for (const finding of findings) {
    if (finding.rule !== "ingress-policy" || seen.has(finding.object)) continue;
    seen.add(finding.object);
    const object = objects.find((candidate) => candidate.ref === finding.object);
    if (object === undefined) continue;
    const namespace = object.ref.namespace ?? defaultNamespace;
    // A controller's Pods (a ReplicaSet's, a Deployment's ReplicaSets) get the policy of the controller, when it is here.
    const owner = controllerOf(object.body);
    if (owner !== undefined && OWNER_KINDS.includes(owner.kind) && present.has(`${namespace}/${owner.kind}/${owner.name}`)) continue;
    const base = { for: object.ref, source: object.source === undefined ? undefined : { file: object.source.file, line: object.source.line } };
    if (finding.key === "ingress-policy:open") {
      suggestions.push({ ...base, comments: [`no policy to add: ${finding.message}; policies are additive, so adding one cannot close it`], policy: undefined });
      continue;
    }
    const pod = readPod(object).pod;
    if (pod === undefined) continue;
    const selector = selectorFor(object, pod);
    if (Object.keys(selector).length === 0) {
      suggestions.push({ ...base, comments: ["no policy to add: it has no labels a podSelector could select it by; label its pods, then run netguard suggest again"], policy: undefined });
      continue;
    }
    suggestions.push({ ...base, ...policyFor(object, pod, selector, { namespace, objects, defaultNamespace, namesTaken }) });
  }
  return suggestions;
}

/** The workload's own selector when it is plain matchLabels the template carries, else the pod labels (without generated ones). */
function selectorFor(object: KubeObject, pod: PodView): Record<string, string> {
  const spec = asObject(object.body["spec"]) ?? {};
  const declared = SELECTOR_KINDS.has(object.ref.kind) ? asObject(spec["selector"]) : undefined;
  const matchLabels = declared?.["matchExpressions"] === undefined ? asStringMap(declared?.["matchLabels"]) : {};
  const own = object.ref.kind === "ReplicationController" ? asStringMap(spec["selector"]) : matchLabels;
  if (Object.keys(own).length > 0 && Object.entries(own).every(([key, value]) => pod.labels[key] === value)) return { ...own };
  return Object.fromEntries(Object.entries(pod.labels).filter(([key]) => !GENERATED_LABELS.has(key)));
}

/** Where a policy is proposed: the object's namespace, the input it came with, the names already used. */
interface Surroundings {
  readonly namespace: string;
  readonly objects: readonly KubeObject[];
  readonly defaultNamespace: string;
  readonly namesTaken: Set<string>;
}

function policyFor(object: KubeObject, pod: PodView, selector: Record<string, string>, { namespace, objects, defaultNamespace, namesTaken }: Surroundings): Pick<Suggestion, "comments" | "policy"> {
  const what = describeRef(object.ref);
  const declared = unique(pod.containers.filter((container) => /(^|\.)containers\[/.test(container.path)).flatMap((container) => container.ports.flatMap((port) => (port.containerPort === undefined ? [] : [{ port: port.containerPort, protocol: port.protocol }]))));
  const comments = [declared.length > 0 ? `isolates its pods for ingress and admits Pods of namespace ${namespace} on the ports it declares` : "isolates its pods for ingress"];
  const ingress: Record<string, unknown>[] = [];
  if (declared.length > 0) ingress.push({ from: [{ podSelector: {} }], ports: declared.map(portEntry) });
  else comments.push(`${what} declares no container ports: this admits nothing; add the ports it serves`);
  for (const service of objects.filter((candidate) => isService(candidate) && (candidate.ref.namespace ?? defaultNamespace) === namespace)) {
    const spec = asObject(service.body["spec"]) ?? {};
    const serviceSelector = asStringMap(spec["selector"]);
    if (Object.keys(serviceSelector).length === 0 || !Object.entries(serviceSelector).every(([key, value]) => pod.labels[key] === value)) continue;
    const targets = unique(targetPorts(spec, pod));
    if (targets.length === 0) continue;
    const shown = targets.map((port) => `${String(port.port)}/${port.protocol}`).join(", ");
    const name = describeRef(service.ref);
    const type = asString(spec["type"]) ?? "ClusterIP";
    const ranges = Array.isArray(spec["loadBalancerSourceRanges"]) ? (spec["loadBalancerSourceRanges"] as unknown[]).filter((range): range is string => typeof range === "string") : [];
    const external = type === "LoadBalancer" || type === "NodePort" || (Array.isArray(spec["externalIPs"]) && spec["externalIPs"].length > 0);
    if (type === "LoadBalancer" && ranges.length > 0) {
      ingress.push({ from: ranges.map((cidr) => ({ ipBlock: { cidr } })), ports: targets.map(portEntry) });
      comments.push(`${name} (LoadBalancer) is reached from its loadBalancerSourceRanges on ${shown}`);
    } else if (external) {
      ingress.push({ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: targets.map(portEntry) });
      comments.push(`${name} (${type === "ClusterIP" ? "externalIPs" : type}) is reached from outside the cluster on ${shown}: every address is admitted there; narrow it to your clients' ranges`);
    } else {
      comments.push(`${name} targets ${shown}: if it is reached from other namespaces (an ingress controller, monitoring), widen from with a namespaceSelector`);
    }
  }
  const name = uniqueName(object, namespace, namesTaken);
  const policy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress"], ...(ingress.length > 0 ? { ingress } : {}) },
  };
  return { comments, policy };
}

/** The container ports a Service's ports land on: targetPort as a number, a named container port, or the port itself. */
function targetPorts(spec: Readonly<Record<string, unknown>>, pod: PodView): PolicyPort[] {
  const ports = Array.isArray(spec["ports"]) ? (spec["ports"] as unknown[]) : [];
  return ports.flatMap((value): PolicyPort[] => {
    const entry = asObject(value) ?? {};
    const protocol = asString(entry["protocol"]) ?? "TCP";
    const target = entry["targetPort"] ?? entry["port"];
    if (typeof target === "number" && Number.isInteger(target) && target > 0 && target < 65536) return [{ port: target, protocol }];
    if (typeof target !== "string") return [];
    const named = pod.containers.flatMap((container) => container.ports).find((port) => port.name === target && port.containerPort !== undefined);
    return named?.containerPort === undefined ? [] : [{ port: named.containerPort, protocol }];
  });
}

function portEntry(port: PolicyPort): Record<string, unknown> {
  return { port: port.port, protocol: port.protocol };
}

function unique(ports: readonly PolicyPort[]): PolicyPort[] {
  const seen = new Set<string>();
  return ports.filter((port) => {
    const key = `${String(port.port)}/${port.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `<name>-ingress`, or `<kind>-<name>-ingress`, then numbered, never one the namespace already has. */
function uniqueName(object: KubeObject, namespace: string, taken: Set<string>): string {
  const fit = (stem: string, suffix: string): string => `${stem.slice(0, MAX_NAME - suffix.length)}${suffix}`;
  const candidates = [fit(object.ref.name, "-ingress"), fit(`${object.ref.kind.toLowerCase()}-${object.ref.name}`, "-ingress")];
  for (let index = 2; ; index += 1) {
    const name = candidates.shift() ?? fit(`${object.ref.kind.toLowerCase()}-${object.ref.name}`, `-ingress-${String(index)}`);
    if (!taken.has(`${namespace}/${name}`)) {
      taken.add(`${namespace}/${name}`);
      return name;
    }
  }
}
