/** The stable rule ids: they appear in output, policy files, exemptions and docs. */
export type RuleId = "host-network" | "host-port" | "tcp-only" | "ingress-policy";

/** What a finding does: deny rejects (exit 1), warn is shown, audit is only recorded. */
export type Action = "deny" | "warn" | "audit";
