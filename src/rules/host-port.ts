import type { Rule, Violation } from "../engine/types.js";
import type { HostPortRange } from "../policy/policy.js";

/** A hostPort binds a port on the node itself, bypassing Services and NetworkPolicies. */
export const hostPort: Rule = {
  id: "host-port",
  title: "Containers must not bind host ports",
  summary: "Rejects container ports with a non-zero hostPort (hostNetwork pods' implied hostPort = containerPort excepted).",
  fix: "Remove hostPort from the container port and reach the pod through a Service (NodePort or LoadBalancer if it must be reachable from outside).",
  securitySeverity: "7.0",
  help:
    "hostPort maps a port of the node to the container, so the pod is reachable on the node's address whatever NetworkPolicies say, " +
    "and only one such pod fits on each node. On a hostNetwork pod the API server sets hostPort to containerPort itself; " +
    "that implied port is reported by host-network, not a second time here. " +
    "Ports listed in rules.host-port.allowedHostPorts (a port or a range, optionally one protocol) are let through.",
  check: ({ pod }, { policy, budget }) => {
    const allowed = policy.rules["host-port"].allowedHostPorts;
    const violations: Violation[] = [];
    for (const container of pod?.containers ?? []) {
      for (const port of container.ports) {
        if (port.hostPort === undefined || port.hostPort === 0) continue;
        // With hostNetwork the API server writes hostPort = containerPort on Pods: implied, not a new exposure.
        if (pod?.hostNetwork && port.hostPort === port.containerPort) continue;
        if (isAllowed(allowed, port.hostPort, port.protocol)) continue;
        const key = `${container.name}/${String(port.hostPort)}/${port.protocol}`;
        if (budget && !budget.take(key)) continue;
        violations.push({
          field: `${port.path}.hostPort`,
          value: String(port.hostPort),
          message: `container "${container.name}" uses hostPort ${String(port.hostPort)}`,
          key,
        });
      }
    }
    return violations;
  },
};

/** Whether the policy's allowedHostPorts let this host port through (a range without protocol allows all three). */
export function isAllowed(ranges: readonly HostPortRange[], hostPort: number, protocol: string): boolean {
  return ranges.some((range) => hostPort >= range.min && hostPort <= range.max && (range.protocol === undefined || range.protocol === protocol));
}
