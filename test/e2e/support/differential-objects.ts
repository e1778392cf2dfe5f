import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { isPodBearing } from "../../../src/kube/pod-template.js";
import { repoRoot } from "./repo-root.js";

/** One object for the differential run, and where it came from (shown when the two paths disagree). */
export interface Candidate {
  readonly origin: string;
  readonly object: Record<string, unknown>;
}

const IMAGE = "registry.k8s.io/pause:3.10";
type Json = Record<string, unknown>;

/** Pod specs that reach every branch of host-network, host-port and tcp-only, named by what they hold. */
const POD_SPECS: Readonly<Record<string, Json>> = {
  clean: { containers: [{ name: "app", image: IMAGE, ports: [{ containerPort: 8080 }] }] },
  "host-network": { hostNetwork: true, containers: [{ name: "app", image: IMAGE }] },
  "host-network-implied-port": { hostNetwork: true, containers: [{ name: "exporter", image: IMAGE, ports: [{ containerPort: 9100, hostPort: 9100 }] }] },
  "host-port-two-containers": {
    containers: [
      { name: "web", image: IMAGE, ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 9100, hostPort: 9100 }] },
      { name: "side", image: IMAGE, ports: [{ containerPort: 81, hostPort: 30050, protocol: "UDP" }, { containerPort: 82, hostPort: 30050, protocol: "TCP" }] },
    ],
  },
  "host-port-init-container": { initContainers: [{ name: "init", image: IMAGE, ports: [{ containerPort: 70, hostPort: 7070 }] }], containers: [{ name: "app", image: IMAGE }] },
  "udp-sctp-everywhere": {
    initContainers: [{ name: "init", image: IMAGE, ports: [{ containerPort: 5000, protocol: "SCTP" }] }],
    containers: [
      { name: "dns", image: IMAGE, ports: [{ containerPort: 53, protocol: "UDP" }, { containerPort: 8053, protocol: "TCP" }, { containerPort: 9153 }] },
      { name: "side", image: IMAGE, ports: [{ containerPort: 54, protocol: "UDP", name: "side-dns" }] },
    ],
  },
  "protocol-absent": { containers: [{ name: "app", image: IMAGE, ports: [{ containerPort: 8080, name: "http" }] }] },
};

/** Wraps a pod spec in every pod-bearing kind, each where the kind keeps its template. */
export function podBearing(name: string, spec: Json): Json[] {
  const labels = { app: name };
  const template = { metadata: { labels }, spec };
  const jobTemplate = { metadata: { labels }, spec: { ...spec, restartPolicy: "Never" } };
  const selector = { matchLabels: labels };
  return [
    { apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec },
    { apiVersion: "v1", kind: "PodTemplate", metadata: { name }, template },
    { apiVersion: "v1", kind: "ReplicationController", metadata: { name }, spec: { replicas: 0, selector: labels, template } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name }, spec: { replicas: 0, selector, template } },
    { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name }, spec: { replicas: 0, selector, template } },
    { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name }, spec: { replicas: 0, serviceName: name, selector, template } },
    { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name }, spec: { selector, template } },
    { apiVersion: "batch/v1", kind: "Job", metadata: { name }, spec: { template: jobTemplate } },
    { apiVersion: "batch/v1", kind: "CronJob", metadata: { name }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: jobTemplate } } } },
  ];
}

const SERVICES: readonly Json[] = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "clean" }, spec: { ports: [{ port: 80 }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "dns-named" }, spec: { ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }, { name: "sig", port: 5000, protocol: "SCTP" }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "syslog-unnamed" }, spec: { ports: [{ port: 514, protocol: "UDP" }] } },
];

const POLICIES: readonly Json[] = [
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "clean" }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "udp-everywhere" },
    spec: {
      podSelector: { matchLabels: { app: "dns" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ports: [{ port: 53, protocol: "UDP" }, { protocol: "UDP" }, { port: "dns", protocol: "UDP" }, { port: 8053 }] }],
      egress: [{ ports: [{ port: 5000, protocol: "SCTP" }] }, { ports: [{ port: 53, protocol: "UDP" }] }],
    },
  },
];

/** Deployments carrying the exemption annotations, with and without the required reason. */
const ANNOTATED: readonly Json[] = [
  { "netguard.io/exempt": "tcp-only, host-network", "netguard.io/exempt-reason": "CNI agent (NET-7)" },
  { "netguard.io/exempt": "host-network" },
  { "netguard.io/exempt": "host-port", "netguard.io/exempt-reason": "other rule" },
].map((annotations, index) => {
  const [deployment] = podBearing("annotated", POD_SPECS["host-network"] ?? {}).filter((object) => object["kind"] === "Deployment");
  return { ...deployment, metadata: { name: `annotated-${String(index)}`, annotations } };
});

/** The generated matrix: every pod spec in every pod-bearing kind, Services and NetworkPolicies. */
export function matrixObjects(): Candidate[] {
  return [
    ...ANNOTATED.map((object, index) => ({ origin: `matrix annotated Deployment ${String(index)}`, object })),
    ...Object.entries(POD_SPECS).flatMap(([name, spec]) => podBearing(name, spec).map((object) => ({ origin: `matrix ${String(object["kind"])} ${name}`, object }))),
    ...[...SERVICES, ...POLICIES].map((object) => ({ origin: `matrix ${String(object["kind"])} ${String((object["metadata"] as Json)["name"])}`, object })),
  ];
}

/** Every object the rules read in the project's fixture files. */
export function fixtureObjects(): Candidate[] {
  const root = join(repoRoot(), "test", "fixtures", "manifests");
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => subjects(readFileSync(join(root, file), "utf8"), `fixture ${file}`));
}

/** The shared kube-prometheus corpus's objects the rules read, or undefined when ../shared is absent. */
export function corpusObjects(): Candidate[] | undefined {
  const root = join(repoRoot(), "..", "shared", "corpus", "kube-prometheus");
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => subjects(readFileSync(join(root, file), "utf8"), `kube-prometheus ${file}`));
}

function subjects(text: string, origin: string): Candidate[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((value): value is Json => typeof value === "object" && value !== null && !Array.isArray(value))
    .filter((object) => readBy(String(object["apiVersion"]), String(object["kind"])))
    .map((object) => ({ origin, object }));
}

/** The kinds the three stateless rules read: pod-bearing kinds, core Services, NetworkPolicies. */
function readBy(apiVersion: string, kind: string): boolean {
  return isPodBearing(apiVersion, kind) || (apiVersion === "v1" && kind === "Service") || (apiVersion === "networking.k8s.io/v1" && kind === "NetworkPolicy");
}
