import type { HostPortRange } from "../policy/policy.js";
import { all, any, between, equals, isTrue, not, same, type Condition } from "./condition.js";
import { statelessRule } from "./stateless-rule.js";

/** A hostPort binds a port on the node itself, bypassing Services and NetworkPolicies. */
export const hostPort = statelessRule({
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
  checks: (policy) => [
    {
      site: "container-port",
      field: "hostPort",
      when: all(
        not(equals("hostPort", 0)),
        // With hostNetwork the API server writes hostPort = containerPort on Pods: implied, not a new exposure.
        not(all(isTrue("hostNetwork"), same("hostPort", "containerPort"))),
        not(allowedHostPort(policy.rules["host-port"].allowedHostPorts)),
      ),
      message: ['container "', { field: "container" }, '" uses hostPort ', { field: "hostPort" }],
      key: { prefix: undefined, fields: ["container", "hostPort", "protocol"] },
    },
  ],
});

/** The policy's allowedHostPorts as a condition (a range without protocol allows all three). */
export function allowedHostPort(ranges: readonly HostPortRange[]): Condition {
  return any(...ranges.map((range) => (range.protocol === undefined ? between("hostPort", range.min, range.max) : all(between("hostPort", range.min, range.max), equals("protocol", range.protocol)))));
}
