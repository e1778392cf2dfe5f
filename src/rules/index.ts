import type { Rule } from "../engine/types.js";
import { hostNetwork } from "./host-network.js";
import { hostPort } from "./host-port.js";
import { ingressPolicy } from "./ingress-policy.js";
import { tcpOnly } from "./tcp-only.js";

/** The registry: every rule, in the order findings and docs list them. */
export const BUILTIN_RULES: readonly Rule[] = [hostNetwork, hostPort, tcpOnly, ingressPolicy];
