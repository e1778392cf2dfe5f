import { isTrue } from "./condition.js";
import { statelessRule } from "./stateless-rule.js";

/** hostNetwork puts the pod on the node's network: NetworkPolicies no longer apply and every node port is reachable. */
export const hostNetwork = statelessRule({
  id: "host-network",
  title: "Pods must not use the host network",
  summary: "Rejects pod specs with hostNetwork: true.",
  fix: "Remove hostNetwork: true and expose the pod through a Service; exempt node agents that truly need the node's network.",
  securitySeverity: "8.0",
  help:
    "A pod with hostNetwork: true shares the node's network namespace: it can bind any node port, see all node traffic, " +
    "and NetworkPolicies do not reliably apply to it. Only node-level agents (CNI, node exporters) need it; give them an exemption with a reason.",
  checks: () => [
    {
      site: "pod-spec",
      field: "hostNetwork",
      when: isTrue("hostNetwork"),
      message: ["pod uses the node's network namespace (hostNetwork=true)"],
      key: { prefix: "hostNetwork", fields: [] },
    },
  ],
});
