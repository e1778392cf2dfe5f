import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { createDecisionLog, type DecisionEntry } from "../../../src/webhook/telemetry/decision-log.js";

function capture(level = "info") {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: createLogger(level, stream), text: () => chunks.join("") };
}

const entry: DecisionEntry = {
  uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
  kind: "Deployment",
  namespace: "monitoring",
  name: "prometheus-adapter",
  operation: "CREATE",
  subResource: "",
  user: "system:serviceaccount:kube-system:deployment-controller",
  dryRun: false,
  decision: "warn",
  rules: ["ingress-policy"],
  durationMs: 0.187,
};
const line = { level: 30, app: "netguard", uid: entry.uid, kind: "Deployment", namespace: "monitoring", name: "prometheus-adapter", operation: "CREATE", user: entry.user, dryRun: false, decision: "warn", rules: ["ingress-policy"], durationMs: 0.187, msg: "admission decision" };

describe("decision log", () => {
  it.each([
    ["a plain decision", entry, line],
    [
      "a subresource, a dry run and several rules",
      { ...entry, subResource: "ephemeralcontainers", dryRun: true, decision: "deny", rules: ["host-network", "host-port"], durationMs: 12 },
      { ...line, subResource: "ephemeralcontainers", dryRun: true, decision: "deny", rules: ["host-network", "host-port"], durationMs: 12 },
    ],
    ["names that need escaping", { ...entry, name: 'we"ird\\name', user: "tab\there\nnewline" }, { ...line, name: 'we"ird\\name', user: "tab\there\nnewline" }],
    ["a duration finer than a microsecond, to the microsecond", { ...entry, durationMs: 0.18749999 }, { ...line, durationMs: 0.187 }],
    // Kept valid UTF-8: pino's writer turns a lone surrogate into U+FFFD.
    ["a lone surrogate", { ...entry, uid: "lone \ud800 surrogate" }, { ...line, uid: "lone \ufffd surrogate" }],
  ])("one JSON line per decision: %s", (_name, value, expected) => {
    const out = capture();
    createDecisionLog(out.logger)(value);
    expect(out.text().split("\n")).toHaveLength(2);
    const { time, ...rest } = JSON.parse(out.text()) as Record<string, unknown>;
    expect(typeof time).toBe("number");
    expect(rest).toEqual(expected);
    expect(Object.keys(rest).at(-1)).toBe("msg");
  });

  it("writes nothing when the logger is above info", () => {
    const quiet = capture("warn");
    createDecisionLog(quiet.logger)(entry);
    expect(quiet.text()).toBe("");
  });
});
