import type { Subject } from "../kube/subject.js";
import type { Element, FieldName } from "./condition.js";

/** The places a stateless rule looks at; each is a list of elements with the same fields. */
export type SiteId = "pod-spec" | "container-port" | "service-port" | "policy-port";

/** Which fields each site offers, for rule definitions and the CEL generator alike. */
export const SITE_FIELDS: Readonly<Record<SiteId, readonly FieldName[]>> = {
  "pod-spec": ["hostNetwork"],
  "container-port": ["container", "containerPort", "hostPort", "protocol", "hostNetwork"],
  "service-port": ["name", "port", "protocol"],
  "policy-port": ["direction", "port", "protocol"],
};

/**
 * The value the API server stores for an absent field (SetDefaults_ContainerPort, _ServicePort,
 * _NetworkPolicyPort default the protocol; hostNetwork and hostPort are zero values). Fields without
 * one stay absent (a NetworkPolicy port without a number means all ports).
 */
export const FIELD_DEFAULTS = {
  hostNetwork: false,
  hostPort: 0,
  protocol: "TCP",
  name: "",
} as const satisfies Partial<Record<FieldName, string | number | boolean>>;

/** One element as a rule sees it: where it is, and its values with defaults applied. */
export interface SiteElement {
  readonly path: string;
  readonly values: Element;
  /** The protocol was written out rather than defaulted (shown as "TCP (default)" otherwise). */
  readonly protocolDeclared?: boolean;
}

/**
 * The elements of a site in a subject, in document order (init, app, then ephemeral containers). Loops
 * and literal objects, no cache: this runs on every admission request, and a WeakMap per subject cost
 * more in garbage collection than reading the views twice (docs/adr/0003).
 */
export function siteElements(site: SiteId, subject: Subject): SiteElement[] {
  const elements: SiteElement[] = [];
  const { pod } = subject;
  switch (site) {
    case "pod-spec":
      if (pod) elements.push({ path: pod.specPath, values: { hostNetwork: pod.hostNetwork } });
      break;
    case "container-port":
      for (const container of pod?.containers ?? []) {
        for (const port of container.ports) {
          elements.push({
            path: port.path,
            values: { container: container.name, containerPort: port.containerPort, hostPort: port.hostPort ?? FIELD_DEFAULTS.hostPort, protocol: port.protocol, hostNetwork: pod?.hostNetwork ?? FIELD_DEFAULTS.hostNetwork },
            protocolDeclared: port.protocolDeclared,
          });
        }
      }
      break;
    case "service-port":
      for (const port of subject.servicePorts) elements.push({ path: port.path, values: { name: port.name ?? FIELD_DEFAULTS.name, port: port.port, protocol: port.protocol } });
      break;
    case "policy-port":
      for (const port of subject.policyPorts) elements.push({ path: port.path, values: { direction: port.direction, port: port.port, protocol: port.protocol } });
      break;
  }
  return elements;
}
