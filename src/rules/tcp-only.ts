import type { Rule, Violation } from "../engine/types.js";

/** The organisation's network path carries TCP only; UDP and SCTP ports would be exposed unreviewed or silently not work. */
export const tcpOnly: Rule = {
  id: "tcp-only",
  title: "Ports must use TCP",
  summary: "Rejects non-TCP protocols on container ports, Service ports and NetworkPolicy ports (absent protocol = TCP).",
  fix: "Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.",
  securitySeverity: "4.0",
  help:
    "Container ports, Service ports and NetworkPolicy ports default to TCP when protocol is omitted. " +
    "Any other protocol (UDP, SCTP) is rejected unless the policy lists it in rules.tcp-only.allowedProtocols.",
  check: (subject, { policy, budget }) => {
    const allowed = policy.rules["tcp-only"].allowedProtocols;
    const offends = (protocol: string): boolean => !allowed.includes(protocol);
    const violations: Violation[] = [];
    for (const container of subject.pod?.containers ?? []) {
      for (const port of container.ports) {
        if (!offends(port.protocol)) continue;
        const key = `container/${container.name}/${String(port.containerPort)}/${port.protocol}`;
        if (budget && !budget.take(key)) continue;
        violations.push({
          field: `${port.path}.protocol`,
          value: port.protocolDeclared ? port.protocol : `${port.protocol} (default)`,
          message: `container "${container.name}" port ${String(port.containerPort ?? "?")} uses ${port.protocol}; allowed: ${allowed.join(", ")}`,
          key,
        });
      }
    }
    for (const port of subject.servicePorts) {
      if (!offends(port.protocol)) continue;
      const key = `service/${port.name ?? String(port.port)}/${port.protocol}`;
      if (budget && !budget.take(key)) continue;
      const label = port.name ? `"${port.name}" (${String(port.port ?? "?")})` : String(port.port ?? "?");
      violations.push({
        field: `${port.path}.protocol`,
        value: port.protocol,
        message: `Service port ${label} uses ${port.protocol}; allowed: ${allowed.join(", ")}`,
        key,
      });
    }
    for (const port of subject.policyPorts) {
      if (!offends(port.protocol)) continue;
      const key = `policy/${port.path}/${port.protocol}`;
      if (budget && !budget.take(key)) continue;
      const shown = port.port === undefined ? "all ports" : `port ${String(port.port)}`;
      violations.push({
        field: `${port.path}.protocol`,
        value: port.protocol,
        message: `NetworkPolicy ${port.path.split(".")[1] ?? "rule"} ${shown} uses ${port.protocol}; allowed: ${allowed.join(", ")}`,
        key,
      });
    }
    return violations;
  },
};

