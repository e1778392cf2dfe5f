import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { POD_BEARING_KINDS } from "../../kube/pod-template.js";

/** The kinds netguard judges: a `kind` label takes one of these or "other", never the caller's text. */
const KIND_LABELS: ReadonlySet<string> = new Set([...POD_BEARING_KINDS, "Service", "NetworkPolicy"]);

/** The `kind` label for a request: from a fixed set, so a caller cannot grow the series without bound. */
export function kindLabel(kind: string): string {
  return KIND_LABELS.has(kind) ? kind : "other";
}

/** The webhook's metrics, on a registry of its own (no global default registry). */
export interface WebhookMetrics {
  readonly registry: Registry;
  /** The whole /metrics page. */
  readonly render: () => Promise<string>;
  readonly contentType: string;
  readonly requests: Counter<"kind" | "operation" | "decision">;
  readonly duration: Histogram<"decision">;
  readonly findings: Counter<"rule" | "action">;
  readonly cacheSynced: Gauge;
  readonly cacheObjects: Gauge;
  /** Per enabled coverage source besides NetworkPolicy: 1 served and synced, 0 not yet, -1 not served by the cluster. */
  readonly coverageSources: Gauge<"source">;
  readonly coverageObjects: Gauge;
  readonly certificateExpiry: Gauge;
  readonly certificateReloads: Counter<"result">;
  readonly policyReloads: Counter<"result">;
  readonly liveReads: Counter<"result">;
  readonly ownerRetries: Counter<"result">;
  readonly guardDecisions: Counter<"result" | "action">;
}

/** Creates the metrics; buckets reach down to 50µs because most decisions take well under a millisecond. */
export function createMetrics(options: { readonly processMetrics: boolean } = { processMetrics: true }): WebhookMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "netguard_" });
  return {
    registry,
    render: () => registry.metrics(),
    contentType: registry.contentType,
    requests: new Counter({
      name: "netguard_admission_requests_total",
      help: "Admission reviews answered, by object kind, operation and decision (allow, warn, deny, error, invalid).",
      labelNames: ["kind", "operation", "decision"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "netguard_admission_duration_seconds",
      help: "Time from request received to response written.",
      labelNames: ["decision"],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    findings: new Counter({ name: "netguard_findings_total", help: "Findings in admission reviews, by rule and action.", labelNames: ["rule", "action"], registers: [registry] }),
    cacheSynced: new Gauge({ name: "netguard_networkpolicy_cache_synced", help: "1 when the NetworkPolicy informer cache has synced.", registers: [registry] }),
    cacheObjects: new Gauge({ name: "netguard_networkpolicy_cache_objects", help: "NetworkPolicies in the informer cache.", registers: [registry] }),
    coverageSources: new Gauge({
      name: "netguard_coverage_source_state",
      help: "Per enabled coverage source other than NetworkPolicy (rules.ingress-policy.sources): 1 synced, 0 not synced yet, -1 not served by this cluster (it covers nothing).",
      labelNames: ["source"],
      registers: [registry],
    }),
    coverageObjects: new Gauge({ name: "netguard_coverage_cache_objects", help: "Policies of the other coverage sources (Cilium, Calico, network-policy-api) in the caches.", registers: [registry] }),
    certificateExpiry: new Gauge({
      name: "netguard_certificate_expiry_timestamp_seconds",
      help: "notAfter of the serving certificate in use, as a Unix time.",
      registers: [registry],
    }),
    certificateReloads: new Counter({ name: "netguard_certificate_reloads_total", help: "Serving certificate reloads, by result.", labelNames: ["result"], registers: [registry] }),
    policyReloads: new Counter({ name: "netguard_policy_reloads_total", help: "Policy file reloads, by result (success, invalid).", labelNames: ["result"], registers: [registry] }),
    ownerRetries: new Counter({
      name: "netguard_owner_retries_total",
      help: "Controllers woken because a new NetworkPolicy covers the Pods netguard denied them, by result (touched, failed).",
      labelNames: ["result"],
      registers: [registry],
    }),
    guardDecisions: new Counter({
      name: "netguard_guard_decisions_total",
      help: "NetworkPolicy deletes and edits judged for the Pods they would leave without ingress isolation, by result (kept, stranded, unverified) and the action taken.",
      labelNames: ["result", "action"],
      registers: [registry],
    }),
    liveReads: new Counter({
      name: "netguard_networkpolicy_live_reads_total",
      help: "Live reads of a namespace's NetworkPolicies before a coverage denial, by result.",
      labelNames: ["result"],
      registers: [registry],
    }),
  };
}
