import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { withNamespace } from "../../engine/inventory.js";
import type { CoverageLookup, Inventory, PolicyLookup, Rule } from "../../engine/types.js";
import type { OwnerReader } from "../../cluster/owner-reader.js";
import type { PodLister } from "../../cluster/pod-metadata-lister.js";
import type { TierLookup } from "../../kube/coverage/calico.js";
import { CONTROLLER_USERS, controllerOf, lookupAmong } from "../../kube/owners.js";
import type { Policy } from "../../policy/policy.js";
import { parseAdmissionReview, uidOf, type AdmissionRequest } from "./admission-review.js";
import { errored, toReview } from "./admission-response.js";
import type { BodyRead, BodyTracker } from "../serving/body-reader.js";
import { createDecisionLog, type DecisionEntry } from "../telemetry/decision-log.js";
import { guardedResponse } from "./guard-messages.js";
import { kindLabel, type WebhookMetrics } from "../telemetry/metrics.js";
import { guardedChange, guardNetworkPolicy } from "./network-policy-guard.js";
import { deniesForCoverage, reviewAdmission, type ReviewDeps, type ReviewOutcome } from "./review-admission.js";

/**
 * The API server sends object and oldObject, each up to its 3 MiB request-body limit, plus the
 * envelope; 7 MiB leaves room for both, as controller-runtime does.
 */
export const DEFAULT_BODY_LIMIT = 7 * 1024 * 1024;

/** What the /validate handler needs; everything is passed in, nothing is global. */
export interface ValidateDeps {
  readonly rules: readonly Rule[];
  readonly policy: () => Policy;
  readonly inventory: Inventory;
  /** Reads one namespace's NetworkPolicies from the API server, when a cluster is configured. */
  readonly liveLookup: ((namespace: string) => Promise<PolicyLookup>) | undefined;
  /** The other enabled coverage sources, read live for one namespace (absent when none is enabled). */
  readonly liveCoverage?: () => ((namespace: string) => Promise<CoverageLookup>) | undefined;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  /** Milliseconds since the epoch (a number, not a Date: read on every request). */
  readonly now: () => number;
  /** Reads bodies within the size, time and shared-memory bounds. */
  readonly bodies: BodyTracker;
  /** Reads an object's controllers live, for exemptions that follow ownership; absent without a cluster. */
  readonly ownerReader?: OwnerReader;
  /** Lists Pods (metadata only) for the guard of policy deletes and edits; absent without a cluster. */
  readonly podLister?: PodLister;
  /** The Calico Tiers the coverage cache knows, for reading a Calico policy under review. */
  readonly tiers?: TierLookup;
  /** Told of every real (not dry-run) Pod creation denied for ingress coverage alone: its controller may be woken later. */
  readonly onCoverageDenial?: (request: AdmissionRequest) => void;
  /** Whether the opt-in controller wake-up runs: the workload warnings say so instead of how to retry. */
  readonly controllerWakeUp?: boolean;
}

interface HandlerContext extends ValidateDeps {
  readonly today: () => string;
  /** Queues one answered request's metrics and decision line. */
  readonly record: (answered: Answered) => void;
}

/** An answered request, kept until its metrics and decision line are written. */
export interface Answered {
  readonly request: AdmissionRequest;
  readonly outcome: ReviewOutcome;
  readonly seconds: number;
}

/** A plain Node request handler for POST /validate (no framework per request: see docs/adr/0003). */
export function createValidateHandler(deps: ValidateDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const context: HandlerContext = { ...deps, today: cachedDay(deps.now), record: batchedRecorder(deps) };
  return (req, res) => {
    answer(req, res, context).catch((error: unknown) => {
      deps.logger.error({ err: error }, "validate handler failed outside a review");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    });
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, deps: HandlerContext): Promise<void> {
  const started = performance.now();
  const body = await deps.bodies.read(req);
  if (!body.ok) {
    invalid(res, deps, { status: body.status, error: body.error });
    afterEarlyAnswer(req, res, body.status);
    return;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(body.text);
  } catch (error) {
    invalid(res, deps, { status: 400, error: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  const parsed = parseAdmissionReview(decoded);
  if (!parsed.ok) {
    invalid(res, deps, { status: 400, error: parsed.error, uid: uidOf(decoded) });
    return;
  }
  const request = parsed.value;
  let outcome: ReviewOutcome;
  try {
    outcome = await review(request, deps);
  } catch (error) {
    reviewFailed(res, request, deps, error);
    return;
  }
  sendJson(res, 200, toReview(request.apiVersion, outcome.response));
  deps.record({ request, outcome, seconds: (performance.now() - started) / 1000 });
  if (deps.onCoverageDenial !== undefined && isCoverageOnlyPodDenial(request, outcome)) deps.onCoverageDenial(request);
}

/** A controller's Pod create that only a NetworkPolicy would have let through (a dry run changes nothing to retry). */
function isCoverageOnlyPodDenial(request: AdmissionRequest, outcome: ReviewOutcome): boolean {
  if (outcome.decision !== "deny" || request.dryRun || request.operation !== "CREATE" || request.kind.kind !== "Pod" || request.subResource !== "") return false;
  for (const finding of outcome.findings) if (finding.action === "deny" && finding.rule !== "ingress-policy") return false;
  return true;
}

function reviewFailed(res: ServerResponse, request: AdmissionRequest, deps: HandlerContext, error: unknown): void {
  deps.logger.error({ err: error, uid: bounded(request.uid), kind: bounded(request.kind.kind), namespace: bounded(request.namespace), name: bounded(request.name) }, "review failed");
  deps.metrics.requests.inc({ kind: kindLabel(request.kind.kind), operation: request.operation, decision: "error" });
  sendJson(res, 200, toReview(request.apiVersion, errored(request.uid)));
}

/**
 * The decision from the cache. A controller's create whose findings an exemption of its owners might
 * waive reads those owners first, and a coverage denial is confirmed with a live read first (both
 * asynchronously; nearly every request needs neither and is answered from the cache alone).
 */
async function review(request: AdmissionRequest, deps: HandlerContext): Promise<ReviewOutcome> {
  const input: ReviewDeps = { rules: deps.rules, policy: deps.policy(), inventory: deps.inventory, today: deps.today(), controllerWakeUp: deps.controllerWakeUp === true };
  const outcome = reviewAdmission(request, input);
  if (deps.ownerReader !== undefined && mayBorrowExemption(request, outcome, input)) return withOwners(request, input, deps.ownerReader, deps);
  if (outcome.decision !== "deny" && deps.podLister !== undefined && deps.ownerReader !== undefined) {
    const change = guardedChange(request, input.policy, deps.tiers ?? (() => undefined));
    if (change !== undefined) return guarded(request, outcome, { input, change, listPods: deps.podLister, readOwners: deps.ownerReader, deps });
  }
  return confirmIfCoverage(request, outcome, input, deps);
}

/** A delete or edit of an enabled source's policy: which non-terminating Pods it would leave without ingress isolation decides on top of the review. */
async function guarded(
  request: AdmissionRequest,
  outcome: ReviewOutcome,
  context: { readonly input: ReviewDeps; readonly change: NonNullable<ReturnType<typeof guardedChange>>; readonly listPods: PodLister; readonly readOwners: OwnerReader; readonly deps: HandlerContext },
): Promise<ReviewOutcome> {
  const { input, change, deps } = context;
  const verdict = await guardNetworkPolicy(change, { policy: input.policy, inventory: input.inventory, listPods: context.listPods, readOwners: context.readOwners, today: input.today });
  deps.metrics.guardDecisions.inc({ result: verdict.kind, action: verdict.kind === "kept" ? "none" : verdict.action });
  if (verdict.kind === "unverified") deps.logger.warn({ uid: bounded(request.uid), namespace: bounded(request.namespace), name: bounded(request.name), reason: verdict.reason }, "NetworkPolicy guard could not verify");
  const response = guardedResponse(request.uid, outcome.response, verdict);
  if (response === outcome.response) return outcome;
  const decision = !response.allowed ? "deny" : (response.warnings?.length ?? 0) > 0 ? "warn" : outcome.decision;
  return { ...outcome, response, decision };
}

async function confirmIfCoverage(request: AdmissionRequest, outcome: ReviewOutcome, input: ReviewDeps, deps: HandlerContext): Promise<ReviewOutcome> {
  if (!deniesForCoverage(outcome) || deps.liveLookup === undefined || outcome.object === undefined) return outcome;
  return confirmLive(request, outcome, { input, namespace: outcome.object.ref.namespace ?? "default", liveLookup: deps.liveLookup, deps });
}

const CONTROLLERS: ReadonlySet<string> = new Set(CONTROLLER_USERS);

/**
 * Only a controller's own request may borrow its owner's exemption: anyone who can create a Pod can
 * write any ownerReference and copy any labels, but not authenticate as the ReplicaSet controller.
 */
function mayBorrowExemption(request: AdmissionRequest, outcome: ReviewOutcome, input: ReviewDeps): boolean {
  return (
    request.operation === "CREATE" &&
    outcome.findings.length > 0 &&
    input.policy.exemptions.length > 0 &&
    CONTROLLERS.has(request.username) &&
    request.object !== undefined &&
    controllerOf(request.object.body) !== undefined
  );
}

async function withOwners(request: AdmissionRequest, input: ReviewDeps, reader: OwnerReader, deps: HandlerContext): Promise<ReviewOutcome> {
  const { owners } = await reader(request.namespace, request.object?.body);
  const inventory: Inventory = { ...input.inventory, owners: lookupAmong(owners) };
  const again: ReviewDeps = { ...input, inventory, followOwners: true };
  return confirmIfCoverage(request, reviewAdmission(request, again), again, deps);
}

async function confirmLive(
  request: AdmissionRequest,
  outcome: ReviewOutcome,
  context: { readonly input: ReviewDeps; readonly namespace: string; readonly liveLookup: (namespace: string) => Promise<PolicyLookup>; readonly deps: HandlerContext },
): Promise<ReviewOutcome> {
  const { input, namespace, deps } = context;
  // The informer cache may be a few milliseconds behind a NetworkPolicy applied just before: confirm live.
  const others = deps.liveCoverage?.();
  const [live, coverage] = await Promise.all([context.liveLookup(namespace), others?.(namespace)]);
  deps.metrics.liveReads.inc({ result: live.verified ? "ok" : "failed" });
  // A failed read of the other sources keeps the cache's answer for them: it never turns a denial into a pass.
  const fresh = coverage !== undefined && coverage.incomplete === undefined ? coverage : undefined;
  if (coverage?.incomplete !== undefined) deps.logger.warn({ uid: bounded(request.uid), namespace: bounded(namespace), reason: coverage.incomplete }, "live read of the coverage sources failed");
  const confirmed: ReviewDeps = { ...input, inventory: withNamespace(input.inventory, namespace, live, fresh) };
  if (!live.verified) {
    // A failed live read never turns a cache answer into a pass; it only explains an unsynced cache.
    deps.logger.warn({ uid: bounded(request.uid), namespace: bounded(namespace), reason: live.reason }, "live NetworkPolicy read failed");
    return input.inventory.networkPolicies(namespace).verified ? outcome : reviewAdmission(request, confirmed);
  }
  return reviewAdmission(request, confirmed);
}

/** Today's UTC date from a clock, recomputed at most once a minute (exemption expiry needs the day, not the instant). */
export function cachedDay(now: () => number): () => string {
  let until = 0;
  let day = "";
  return () => {
    const ms = now();
    if (ms >= until || ms < until - 60_000) {
      until = ms + 60_000;
      day = new Date(ms).toISOString().slice(0, 10);
    }
    return day;
  };
}

/**
 * Metrics and decision lines for the requests answered in one event-loop turn, written together right
 * after it (setImmediate): under load a turn answers many requests, and doing this bookkeeping in one
 * pass keeps its code and data hot in the CPU caches instead of cold between TLS, HTTP and JSON work
 * (docs/adr/0003). Order is kept; the answer never waits for it.
 */
export function batchedRecorder(deps: Pick<ValidateDeps, "logger" | "metrics">): (answered: Answered) => void {
  const logDecision = createDecisionLog(deps.logger);
  let pending: Answered[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    for (const answered of batch) {
      // Outside any request now: a failure here must neither take the process down nor skip the rest.
      try {
        record(answered, deps.metrics, logDecision);
      } catch (error) {
        deps.logger.error({ err: error, uid: answered.request.uid }, "recording an admission decision failed");
      }
    }
  };
  return (answered) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(answered);
  };
}

function record(answered: Answered, metrics: WebhookMetrics, logDecision: (entry: DecisionEntry) => void): void {
  const { request, outcome, seconds } = answered;
  metrics.requests.inc({ kind: kindLabel(request.kind.kind), operation: request.operation, decision: outcome.decision });
  metrics.duration.observe({ decision: outcome.decision }, seconds);
  for (const finding of outcome.findings) metrics.findings.inc({ rule: finding.rule, action: finding.action });
  logDecision({
    uid: bounded(request.uid),
    kind: bounded(request.kind.kind),
    namespace: bounded(request.namespace),
    name: bounded(request.name || outcome.object?.ref.name || ""),
    operation: request.operation,
    subResource: bounded(request.subResource),
    user: bounded(request.username),
    dryRun: request.dryRun,
    decision: outcome.decision,
    rules: ruleIds(outcome),
    durationMs: seconds * 1000,
  });
}

/** Names from the API server are at most 253 characters; a caller of the port may send megabytes: log a bounded prefix. */
const LOG_FIELD_MAX = 256;

/** The text as logged: itself, or its first characters and "…". */
export function bounded(text: string): string {
  return text.length <= LOG_FIELD_MAX ? text : `${text.slice(0, LOG_FIELD_MAX - 1)}…`;
}

function ruleIds(outcome: ReviewOutcome): string[] {
  if (outcome.findings.length === 0 && outcome.preexisting.length === 0) return [];
  return [...new Set([...outcome.findings, ...outcome.preexisting].map((f) => f.rule))];
}

function invalid(res: ServerResponse, deps: ValidateDeps, problem: { status: BodyFailure; error: string; uid?: string }): void {
  const { status, error, uid } = problem;
  deps.metrics.requests.inc({ kind: "", operation: "", decision: "invalid" });
  deps.logger.warn({ status, error: bounded(error), uid: uid ? bounded(uid) : undefined }, "rejected malformed admission request");
  sendJson(res, status, { error });
}

type BodyFailure = Extract<BodyRead, { ok: false }>["status"];

/** After an answer sent before the body ended, the rest is read and dropped this far at most (nginx's lingering close). */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 5000;

/**
 * A body refused early (too large, or no room for it) is still arriving: closing at once makes the
 * kernel reset the connection at the client's next bytes, and the client sees a reset instead of the
 * answer. So the rest is read and dropped, within bounds, and only then is the socket closed. A stalled
 * body (408) is closed once the answer is out: its sender is not sending.
 */
function afterEarlyAnswer(req: IncomingMessage, res: ServerResponse, status: BodyFailure): void {
  const socket = req.socket;
  if (status === 408) {
    res.once("finish", () => socket.destroy());
    return;
  }
  if (req.complete) return;
  let dropped = 0;
  const stop = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(stop, LINGER_MS);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) stop();
  });
  req.once("end", () => clearTimeout(timer));
  req.resume();
}

/** Writes a JSON answer with an exact Content-Length, keeping the connection unless told to close. */
export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(text) };
  if (close) headers["connection"] = "close";
  res.writeHead(status, headers);
  res.end(text);
}
