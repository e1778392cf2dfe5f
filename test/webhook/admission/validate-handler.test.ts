import { describe, expect, it, vi } from "vitest";
import { inventoryOf } from "../../../src/engine/inventory.js";
import { DEFAULT_POLICY } from "../../../src/policy/policy.js";
import { BUILTIN_RULES } from "../../../src/rules/index.js";
import { parseAdmissionReview } from "../../../src/webhook/admission/admission-review.js";
import { createMetrics } from "../../../src/webhook/telemetry/metrics.js";
import { reviewAdmission } from "../../../src/webhook/admission/review-admission.js";
import { batchedRecorder, cachedDay, type Answered } from "../../../src/webhook/admission/validate-handler.js";
import { pod, podSpec } from "../../builders.js";
import { memoryLogger } from "../../support/memory-logger.js";
import { admissionReview } from "../../support/reviews.js";

describe("cachedDay", () => {
  it("reads the clock each call but formats the day at most once a minute, and follows the clock across days and backwards", () => {
    let now = Date.parse("2026-11-24T23:59:30Z");
    let reads = 0;
    const day = cachedDay(() => {
      reads += 1;
      return now;
    });
    expect(day()).toBe("2026-11-24");
    now = Date.parse("2026-11-24T23:59:59Z");
    expect(day()).toBe("2026-11-24");
    now = Date.parse("2026-11-25T00:00:31Z");
    expect(day()).toBe("2026-11-25");
    now = Date.parse("2026-11-20T12:00:00Z");
    expect(day()).toBe("2026-11-20");
    expect(reads).toBe(4);
  });
});

describe("batchedRecorder", () => {
  const answered = (uid: string, hostNetwork: boolean): Answered => {
    const parsed = parseAdmissionReview(admissionReview(pod(uid, podSpec({ hostNetwork })), { uid }));
    if (!parsed.ok) throw new Error(parsed.error);
    const outcome = reviewAdmission(parsed.value, { rules: BUILTIN_RULES, policy: DEFAULT_POLICY, inventory: inventoryOf([]), today: "2026-11-24" });
    return { request: parsed.value, outcome, seconds: 0.0004 };
  };

  it("writes the metrics and decision lines of one event-loop turn right after it, in the order answered", async () => {
    const log = memoryLogger();
    const metrics = createMetrics({ processMetrics: false });
    const record = batchedRecorder({ logger: log.logger, metrics });
    record(answered("first", true));
    record(answered("second", false));
    record(answered("third", true));
    // The answers went out first; the bookkeeping waits for the end of the turn.
    expect(log.lines()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines().map((line) => [line["uid"], line["decision"], line["rules"]])).toEqual([
      ["first", "deny", ["host-network", "ingress-policy"]],
      ["second", "deny", ["ingress-policy"]],
      ["third", "deny", ["host-network", "ingress-policy"]],
    ]);
    const page = await metrics.render();
    expect(page).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",decision="deny"} 3');
    expect(page).toContain('netguard_findings_total{rule="host-network",action="deny"} 2');
    expect(page).toContain('netguard_admission_duration_seconds_count{decision="deny"} 3');
    record(answered("fourth", false));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines().map((line) => line["uid"])).toEqual(["first", "second", "third", "fourth"]);
  });

  it("logs a failure to record one decision and goes on with the rest of the turn", async () => {
    const log = memoryLogger();
    const metrics = createMetrics({ processMetrics: false });
    const observe = metrics.duration.observe.bind(metrics.duration);
    vi.spyOn(metrics.duration, "observe").mockImplementation((labels: unknown, seconds?: number) => {
      if (typeof labels === "object" && labels !== null && (labels as { decision?: string }).decision === "allow") throw new Error("histogram broke");
      observe(labels as { decision: string }, seconds ?? 0);
    });
    const record = batchedRecorder({ logger: log.logger, metrics });
    const allowed = answered("allowed", false);
    record(answered("first", true));
    record({ ...allowed, outcome: { ...allowed.outcome, decision: "allow" } });
    record(answered("third", true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines().map((line) => [line["uid"], line["msg"], line["err"] === undefined ? undefined : (line["err"] as { message: string }).message])).toEqual([
      ["first", "admission decision", undefined],
      ["allowed", "recording an admission decision failed", "histogram broke"],
      ["third", "admission decision", undefined],
    ]);
  });
});
