import { Registry } from "prom-client";
import { expect, it } from "vitest";
import { deferredCounter } from "../../../src/webhook/telemetry/deferred-metrics.js";

it("a deferred counter shows every increment at scrape time, and keeps counting after it", async () => {
  const registry = new Registry();
  const counter = deferredCounter(registry, "test_total", "help", ["rule", "action"]);
  counter.inc({ rule: "host-port", action: "deny" });
  counter.inc({ rule: "host-port", action: "deny" });
  counter.inc({ rule: "tcp-only", action: "warn" });
  expect(await registry.metrics()).toContain('test_total{rule="host-port",action="deny"} 2\ntest_total{rule="tcp-only",action="warn"} 1');
  counter.inc({ rule: "host-port", action: "deny" });
  expect(await registry.metrics()).toContain('test_total{rule="host-port",action="deny"} 3');
  expect(await registry.metrics()).toContain('test_total{rule="host-port",action="deny"} 3');
});
