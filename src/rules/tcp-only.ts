import { not, oneOf } from "./condition.js";
import { statelessRule } from "./stateless-rule.js";

/** The organisation's network path carries TCP only; UDP and SCTP ports would be exposed unreviewed or silently not work. */
export const tcpOnly = statelessRule({
  id: "tcp-only",
  title: "Ports must use TCP",
  summary: "Rejects non-TCP protocols on container ports, Service ports and NetworkPolicy ports (absent protocol = TCP).",
  fix: "Set protocol: TCP or remove the protocol field (it defaults to TCP); if another protocol is required, add it to rules.tcp-only.allowedProtocols.",
  securitySeverity: "4.0",
  help:
    "Container ports, Service ports and NetworkPolicy ports default to TCP when protocol is omitted. " +
    "Any other protocol (UDP, SCTP) is rejected unless the policy lists it in rules.tcp-only.allowedProtocols.",
  checks: (policy) => {
    const allowed = policy.rules["tcp-only"].allowedProtocols;
    const offends = not(oneOf("protocol", allowed));
    const tail = ` uses `;
    const allowedText = `; allowed: ${allowed.join(", ")}`;
    return [
      {
        site: "container-port",
        field: "protocol",
        when: offends,
        message: ['container "', { field: "container" }, '" port ', { field: "containerPort" }, tail, { field: "protocol" }, allowedText],
        key: { prefix: "container", fields: ["container", "containerPort", "protocol"] },
      },
      {
        site: "service-port",
        field: "protocol",
        when: offends,
        message: ["Service port ", { present: "name", then: ['"', { field: "name" }, '" (', { field: "port" }, ")"], otherwise: [{ field: "port" }] }, tail, { field: "protocol" }, allowedText],
        key: { prefix: "service", fields: [["name", "port"], "protocol"] },
      },
      {
        site: "policy-port",
        field: "protocol",
        when: offends,
        message: ["NetworkPolicy ", { field: "direction" }, " ", { present: "port", then: ["port ", { field: "port" }], otherwise: ["all ports"] }, tail, { field: "protocol" }, allowedText],
        key: { prefix: "policy", fields: ["direction", "port", "protocol"] },
      },
    ];
  },
});
