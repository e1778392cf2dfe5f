import { asObject, asString, asStringMap, showValue, type JsonObject } from "./fields.js";
import type { KubeObject } from "./object.js";
import { addProblem, type FieldProblem } from "./problem.js";

/** One container port, with the protocol defaulting already applied (absent means TCP). */
export interface PortView {
  readonly path: string;
  readonly name: string | undefined;
  readonly containerPort: number | undefined;
  readonly hostPort: number | undefined;
  readonly protocol: string;
  readonly protocolDeclared: boolean;
}

/** One container of any list (containers, initContainers, ephemeralContainers). */
export interface ContainerView {
  readonly path: string;
  readonly name: string;
  readonly ports: readonly PortView[];
}

/** The pod a pod-bearing object runs, reduced to what the network rules read. */
export interface PodView {
  readonly specPath: string;
  readonly labelsPath: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  /** spec.serviceAccountName (or the deprecated serviceAccount); "default" as the API server defaults it. */
  readonly serviceAccount: string;
  readonly containers: readonly ContainerView[];
}

/** Where a kind keeps its pod template: path of the pod metadata's parent, from the object root. */
export interface TemplateLocation {
  readonly groups: readonly string[];
  /** The REST resource the kind is served as (what admission rules and policies name). */
  readonly resource: string;
  readonly path: readonly string[];
}

/** The pod-bearing kinds, as Pod Security Admission lists them. */
export const TEMPLATE_LOCATIONS: Readonly<Record<string, TemplateLocation>> = {
  Pod: { groups: [""], resource: "pods", path: [] },
  PodTemplate: { groups: [""], resource: "podtemplates", path: ["template"] },
  ReplicationController: { groups: [""], resource: "replicationcontrollers", path: ["spec", "template"] },
  Deployment: { groups: ["apps", "extensions"], resource: "deployments", path: ["spec", "template"] },
  ReplicaSet: { groups: ["apps", "extensions"], resource: "replicasets", path: ["spec", "template"] },
  StatefulSet: { groups: ["apps"], resource: "statefulsets", path: ["spec", "template"] },
  DaemonSet: { groups: ["apps", "extensions"], resource: "daemonsets", path: ["spec", "template"] },
  Job: { groups: ["batch"], resource: "jobs", path: ["spec", "template"] },
  CronJob: { groups: ["batch"], resource: "cronjobs", path: ["spec", "jobTemplate", "spec", "template"] },
};

/** The container lists of a pod spec, in the order Pod Security Admission visits them. */
export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/** The API group of an apiVersion: "apps/v1" → "apps", "v1" → "" (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Whether this kind (in this group) carries a pod spec. */
export function isPodBearing(apiVersion: string, kind: string): boolean {
  return TEMPLATE_LOCATIONS[kind]?.groups.includes(groupOf(apiVersion)) ?? false;
}

/** The kinds netguard reads a pod spec from. */
export const POD_BEARING_KINDS: readonly string[] = Object.keys(TEMPLATE_LOCATIONS);

/** Result of reading a pod template: the view (absent for other kinds) and any unreadable fields. */
export interface PodRead {
  readonly pod: PodView | undefined;
  readonly problems: readonly FieldProblem[];
}

/** Reads the pod template of a pod-bearing object; other kinds give no pod and no problems. */
export function readPod(object: KubeObject): PodRead {
  const location = TEMPLATE_LOCATIONS[object.ref.kind];
  if (!location?.groups.includes(groupOf(object.ref.apiVersion))) return { pod: undefined, problems: [] };
  const problems: FieldProblem[] = [];
  let node: JsonObject | undefined = object.body;
  for (const key of location.path) node = asObject(node?.[key]);
  const base = location.path.join(".");
  const join = (field: string): string => (base ? `${base}.${field}` : field);
  // A ReplicationController's template is a pointer and may be absent: nothing runs, nothing to check.
  if (node === undefined) return { pod: undefined, problems };
  const metadata = asObject(node["metadata"]) ?? {};
  const spec = asObject(node["spec"]);
  if (spec === undefined) {
    if (node["spec"] !== undefined) addProblem(problems, { field: join("spec"), message: "must be a mapping" });
    return { pod: undefined, problems };
  }
  const specPath = join("spec");
  const labels = metadata["labels"];
  if (labels !== undefined && labels !== null) readLabelTypes(labels, join("metadata.labels"), problems);
  const hostNetwork = spec["hostNetwork"];
  if (hostNetwork !== undefined && hostNetwork !== null && typeof hostNetwork !== "boolean") {
    addProblem(problems, { field: `${specPath}.hostNetwork`, message: `must be true or false, not ${showValue(hostNetwork)}` });
  }
  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    const value = spec[list];
    if (value !== undefined && value !== null) readContainers(value, `${specPath}.${list}`, problems, containers);
  }
  return {
    pod: {
      specPath,
      labelsPath: join("metadata.labels"),
      labels: asStringMap(metadata["labels"]),
      hostNetwork: hostNetwork === true,
      serviceAccount: asString(spec["serviceAccountName"]) ?? asString(spec["serviceAccount"]) ?? "default",
      containers,
    },
    problems,
  };
}

// Loops rather than flatMap: this runs on every admission request (docs/adr/0003).
function readContainers(value: unknown, path: string, problems: FieldProblem[], into: ContainerView[]): void {
  if (!Array.isArray(value)) {
    addProblem(problems, { field: path, message: "must be a list of containers" });
    return;
  }
  for (let index = 0; index < value.length; index += 1) {
    const containerPath = `${path}[${String(index)}]`;
    const container = asObject(value[index]);
    if (container === undefined) {
      addProblem(problems, { field: containerPath, message: "must be a mapping" });
      continue;
    }
    const name = asString(container["name"]) ?? `#${String(index)}`;
    into.push({ path: containerPath, name, ports: readPorts(container["ports"], `${containerPath}.ports`, problems) });
  }
}

function readPorts(value: unknown, path: string, problems: FieldProblem[]): PortView[] {
  const ports: PortView[] = [];
  if (value === undefined || value === null) return ports;
  if (!Array.isArray(value)) {
    addProblem(problems, { field: path, message: "must be a list of ports" });
    return ports;
  }
  for (let index = 0; index < value.length; index += 1) {
    const portPath = `${path}[${String(index)}]`;
    const port = asObject(value[index]);
    if (port === undefined) {
      addProblem(problems, { field: portPath, message: "must be a mapping" });
      continue;
    }
    const protocol = readProtocol(port["protocol"], `${portPath}.protocol`, problems);
    ports.push({
      path: portPath,
      name: asString(port["name"]),
      containerPort: readPortNumber(port["containerPort"], `${portPath}.containerPort`, problems),
      hostPort: readPortNumber(port["hostPort"], `${portPath}.hostPort`, problems),
      protocol: protocol ?? "TCP",
      protocolDeclared: protocol !== undefined,
    });
  }
  return ports;
}

/** Reads an optional integer port; anything else is a problem, never a silent zero. */
export function readPortNumber(value: unknown, field: string, problems: FieldProblem[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  addProblem(problems, { field, message: `must be an integer, not ${showValue(value)}` });
  return undefined;
}

/** Reads an optional protocol; the API server defaults an absent one to TCP. */
export function readProtocol(value: unknown, field: string, problems: FieldProblem[]): string | undefined {
  // SetDefaults_ContainerPort/ServicePort/NetworkPolicyPort: an empty protocol is defaulted to TCP, as an absent one.
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  addProblem(problems, { field, message: `must be a string such as "TCP", not ${showValue(value)}` });
  return undefined;
}

/** Labels are strings: kubectl refuses `enabled: yes` (a YAML 1.1 boolean) rather than reading "true". */
function readLabelTypes(labels: unknown, path: string, problems: FieldProblem[]): void {
  if (typeof labels !== "object" || Array.isArray(labels)) {
    addProblem(problems, { field: path, message: "must be a mapping of strings" });
    return;
  }
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    if (typeof value !== "string") addProblem(problems, { field: `${path}.${key}`, message: `must be a string, not ${showValue(value)}: kubectl refuses it; quote the value` });
  }
}

