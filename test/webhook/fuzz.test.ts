import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { inventoryOf } from "../../src/engine/inventory.js";
import { collectObjects } from "../../src/manifests/collect-objects.js";
import { DEFAULT_POLICY } from "../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { parseAdmissionReview } from "../../src/webhook/admission/admission-review.js";
import { reviewAdmission } from "../../src/webhook/admission/review-admission.js";
import { at } from "../config/render.js";
import { admissionReview } from "../support/reviews.js";
import { startTestWebhook } from "../support/webhook-harness.js";

type Harness = Awaited<ReturnType<typeof startTestWebhook>>;

const KINDS = ["Pod", "Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "ReplicaSet", "Service", "NetworkPolicy", "ConfigMap"];
const GROUPS: Record<string, string> = { Pod: "v1", Service: "v1", ConfigMap: "v1", Deployment: "apps/v1", DaemonSet: "apps/v1", StatefulSet: "apps/v1", ReplicaSet: "apps/v1", Job: "batch/v1", CronJob: "batch/v1", NetworkPolicy: "networking.k8s.io/v1" };

/** A loosely shaped pod spec: real field names with arbitrary values, so parsing is exercised. */
const podSpecArb = fc.record(
  {
    hostNetwork: fc.oneof(fc.boolean(), fc.constant("yes"), fc.constant(null)),
    containers: fc.array(
      fc.record(
        {
          name: fc.oneof(fc.string(), fc.integer()),
          ports: fc.oneof(
            fc.array(fc.record({ containerPort: fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.string()), hostPort: fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.constant("80")), protocol: fc.constantFrom("TCP", "UDP", "SCTP", 7, undefined) }, { requiredKeys: [] })),
            fc.string(),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const objectArb = fc.tuple(fc.constantFrom(...KINDS), podSpecArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })).map(([kind, spec, labels]) => {
  const template = { metadata: { labels }, spec };
  const base = { apiVersion: GROUPS[kind], kind, metadata: { name: "fuzz", namespace: "default", labels } };
  if (kind === "Pod") return { ...base, spec };
  if (kind === "CronJob") return { ...base, spec: { jobTemplate: { spec: { template } } } };
  if (kind === "Service") return { ...base, spec: { ports: [{ port: 53, protocol: spec.hostNetwork === true ? "UDP" : "TCP" }] } };
  if (kind === "NetworkPolicy") return { ...base, spec: { podSelector: { matchExpressions: [{ key: "a", operator: spec.hostNetwork === true ? "Gt" : "Exists" }] } } };
  return { ...base, spec: { template } };
});

/** Takes a valid review apart in random ways: drop, replace or retype a field somewhere in it. */
const mutatedReviewArb = fc.tuple(objectArb, fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT"), fc.array(fc.tuple(fc.constantFrom("apiVersion", "kind", "request", "request.uid", "request.operation", "request.object", "request.oldObject", "request.kind", "request.object.metadata", "request.object.spec"), fc.anything()), { maxLength: 2 })).map(
  ([object, operation, mutations]) => {
    const review = admissionReview(object, { operation: operation as "CREATE", oldObject: operation === "CREATE" ? null : object });
    for (const [path, value] of mutations) {
      const keys = path.split(".");
      let node: Record<string, unknown> = review;
      for (const key of keys.slice(0, -1)) {
        const next = node[key];
        if (next === null || typeof next !== "object") break;
        node = next as Record<string, unknown>;
      }
      node[keys.at(-1) ?? ""] = value;
    }
    return review;
  },
);

describe("fuzzing (fast-check)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startTestWebhook({ bodyLimit: 64 * 1024 });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("random and mutated AdmissionReviews always get a valid AdmissionReview or a clear 4xx", async () => {
    const body = fc.oneof(
      mutatedReviewArb.map((review) => JSON.stringify(review)),
      fc.json(),
      fc.string(),
      fc.constant("x".repeat(70 * 1024)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const answer = await h.post(text);
        if (answer.status === 200) {
          const review = answer.json as { apiVersion: string; kind: string; response: { uid: string; allowed: boolean } };
          const sent = JSON.parse(text) as { apiVersion: string; request: { uid: string } };
          expect(review.apiVersion).toBe(sent.apiVersion);
          expect(review.kind).toBe("AdmissionReview");
          expect(review.response.uid).toBe(sent.request.uid);
          expect(typeof review.response.allowed).toBe("boolean");
          expect(Object.keys(review.response)).not.toContain("patch");
        } else {
          expect([400, 413]).toContain(answer.status);
          expect(answer.json).toEqual({ error: expect.any(String) });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("no CREATE review with hostNetwork: true is ever allowed while host-network denies and nothing exempts it", () => {
    fc.assert(
      fc.property(objectArb, fc.boolean(), (object, dryRun) => {
        const kind = object.kind;
        if (kind === "Service" || kind === "NetworkPolicy" || kind === "ConfigMap") return;
        const withHost = structuredClone(object) as Record<string, unknown>;
        const path = kind === "Pod" ? "spec" : kind === "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
        Object.assign(at(withHost, path) as object, { hostNetwork: true });
        const parsed = parseAdmissionReview(admissionReview(withHost, { dryRun }));
        if (!parsed.ok) throw new Error(parsed.error);
        const outcome = reviewAdmission(parsed.value, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryOf([]), today: "2026-11-24" });
        expect(outcome.response.allowed).toBe(false);
        expect(outcome.response.status?.message).toContain("[host-network]");
      }),
      { numRuns: 500 },
    );
  });

  it("random manifest text never crashes check's reader and engine", () => {
    const text = fc.oneof(
      fc.string(),
      fc.array(objectArb).map((objects) => objects.map((o) => JSON.stringify(o)).join("\n---\n")),
      fc.array(fc.constantFrom("apiVersion: v1", "kind: Pod", "---", "spec:", "  hostNetwork: true", "  containers: [", "- a", "items:", "kind: List", "&a [*a]", ": :", "\t", "  <<: {hostNetwork: true}", "  <<: *a", "spec: !!omap", "!!set {a}", '{"kind": "Pod"}{"kind": "List", "items": [{"kind": "List"}]}', "kind: PodList", "a: 1\na: 2", "\ufeff")).map((lines) => lines.join("\n")),
    );
    fc.assert(
      fc.property(text, (source) => {
        const collected = collectObjects([{ file: "fuzz.yaml", text: source }], [], "default");
        const report = evaluate(collected.objects, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryOf([]), surface: "manifests", today: "2026-11-24", defaultNamespace: "default" });
        expect(report.objects).toBe(collected.objects.length);
      }),
      { numRuns: 500 },
    );
  });

  it("hostile shapes (thousands of unreadable entries, control characters, huge values) get a bounded, printable answer", async () => {
    const big = await startTestWebhook({ bodyLimit: 4 * 1024 * 1024 });
    const controlText = fc.string({ unit: fc.constantFrom("a", "\u001b", "[", "2K", "\r", "\n", "\u0007", "\u0000", "\u202e", "é"), maxLength: 40 });
    const junk = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null), fc.record({ containerPort: fc.oneof(fc.integer(), fc.string()), protocol: fc.oneof(fc.constantFrom("UDP", "SCTP", ""), controlText, fc.object()) }, { requiredKeys: [] }));
    const container = fc.record({ name: controlText, image: fc.constant("i"), ports: fc.array(junk, { minLength: 300, maxLength: 3000, size: "max" }) });
    const spec = fc.record({ hostNetwork: fc.boolean(), containers: fc.array(container, { minLength: 1, maxLength: 4 }), initContainers: fc.array(junk, { minLength: 100, maxLength: 2000, size: "max" }) });
    const review = fc.tuple(spec, controlText, fc.string({ maxLength: 2000 })).map(([podSpec, name, longValue]) =>
      JSON.stringify(admissionReview({ apiVersion: "v1", kind: "Pod", metadata: { name: `p${name}`, namespace: "default", labels: { app: longValue } }, spec: podSpec })),
    );
    try {
      await fc.assert(
        fc.asyncProperty(review, async (text) => {
          const answer = await big.post(text);
          expect(answer.status).toBe(200);
          expect(answer.text.length).toBeLessThan(16 * 1024);
          const response = (answer.json as { response: { warnings?: string[]; status?: { message: string } } }).response;
          const shown = [...(response.warnings ?? []), response.status?.message ?? ""];
          expect((response.warnings ?? []).reduce((sum, line) => sum + [...line].length, 0)).toBeLessThanOrEqual(4096);
          for (const line of shown) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
        }),
        { numRuns: 25 },
      );
    } finally {
      await big.stop();
    }
  });
});

