import { asObject, asString } from "./fields.js";
import type { KubeObject } from "./object.js";
import { readPortNumber, readProtocol } from "./pod-template.js";
import { addProblem, type FieldProblem } from "./problem.js";

/** One port of a Service, protocol defaulted to TCP. */
export interface ServicePortView {
  readonly path: string;
  readonly name: string | undefined;
  readonly port: number | undefined;
  readonly protocol: string;
}

/** Whether an object is a core v1 Service. */
export function isService(object: KubeObject): boolean {
  return object.ref.kind === "Service" && object.ref.apiVersion === "v1";
}

/** Lists a Service's spec.ports. */
export function readServicePorts(object: KubeObject): { ports: ServicePortView[]; problems: FieldProblem[] } {
  const spec = asObject(object.body["spec"]) ?? {};
  const problems: FieldProblem[] = [];
  const entries = spec["ports"];
  if (entries === undefined || entries === null) return { ports: [], problems };
  if (!Array.isArray(entries)) return { ports: [], problems: [{ field: "spec.ports", message: "must be a list" }] };
  const ports: ServicePortView[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const path = `spec.ports[${String(index)}]`;
    const port = asObject(entries[index]);
    if (port === undefined) {
      addProblem(problems, { field: path, message: "must be a mapping" });
      continue;
    }
    const protocol = readProtocol(port["protocol"], `${path}.protocol`, problems);
    ports.push({ path, name: asString(port["name"]), port: readPortNumber(port["port"], `${path}.port`, problems), protocol: protocol ?? "TCP" });
  }
  return { ports, problems };
}
