import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { createDecisionLog, DECISION_MESSAGE, fieldsOf, quote, type DecisionEntry } from "../../../src/webhook/telemetry/decision-log.js";

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

/** Both lines parsed, with the clock's field set aside. */
function withoutTime(line: string): Record<string, unknown> {
  const { time, ...rest } = JSON.parse(line) as Record<string, unknown>;
  expect(typeof time).toBe("number");
  return rest;
}

describe("decision log", () => {
  it.each([
    ["a plain decision", entry],
    ["a subresource, a dry run and several rules", { ...entry, subResource: "ephemeralcontainers", dryRun: true, decision: "deny", rules: ["host-network", "host-port"], durationMs: 12 }],
    ["names that need escaping", { ...entry, name: 'we"ird\\name', user: "tab\there\nnewline", namespace: "ünïcödé-☃", kind: "Pod\u0001" }],
    ["no rules and a long duration", { ...entry, decision: "allow", rules: [], durationMs: 1234.5 }],
    ["a duration finer than a microsecond", { ...entry, durationMs: 0.18749999 }],
  ])("writes the same line pino writes for %s", (_name, value) => {
    const ours = capture();
    createDecisionLog(ours.logger)(value);
    const pinos = capture();
    pinos.logger.info(fieldsOf(value), DECISION_MESSAGE);
    expect(ours.text().endsWith("}\n")).toBe(true);
    expect(ours.text().split("\n")).toHaveLength(2);
    expect(withoutTime(ours.text())).toEqual(withoutTime(pinos.text()));
    expect(Object.keys(JSON.parse(ours.text()) as object).at(-1)).toBe("msg");
  });

  it("keeps a lone surrogate as a JSON escape (pino's writer turns it into U+FFFD)", () => {
    const ours = capture();
    createDecisionLog(ours.logger)({ ...entry, uid: "lone \ud800 surrogate" });
    expect(ours.text()).toContain('"uid":"lone \\ud800 surrogate"');
  });

  it("writes nothing when the logger is above info", () => {
    const quiet = capture("warn");
    createDecisionLog(quiet.logger)(entry);
    expect(quiet.text()).toBe("");
  });

  it("quotes strings exactly as JSON.stringify does", () => {
    for (const text of ["", "plain", 'q"uote', "back\\slash", "\u0000\u001f", "\u2028", "😀", "\udc00", "é"]) expect(quote(text)).toBe(JSON.stringify(text));
  });
});
