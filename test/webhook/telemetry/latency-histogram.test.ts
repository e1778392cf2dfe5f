import { expect, it } from "vitest";
import { latencyHistogram } from "../../../src/webhook/telemetry/latency-histogram.js";

it("renders cumulative buckets, +Inf, sum and count per label value in the Prometheus text format", () => {
  const histogram = latencyHistogram({ name: "t_seconds", help: "Time.\nTaken", labelName: "decision", buckets: [0.001, 0.01] });
  expect(histogram.render()).toBe("# HELP t_seconds Time.\\nTaken\n# TYPE t_seconds histogram\n");
  histogram.observe("allow", 0.0005);
  // A value equal to a bound belongs to that bucket (le = less than or equal).
  histogram.observe("allow", 0.001);
  histogram.observe("allow", 0.005);
  histogram.observe("allow", 2);
  histogram.observe('de"ny', 0.02);
  expect(histogram.render()).toBe(
    [
      "# HELP t_seconds Time.\\nTaken",
      "# TYPE t_seconds histogram",
      't_seconds_bucket{le="0.001",decision="allow"} 2',
      't_seconds_bucket{le="0.01",decision="allow"} 3',
      't_seconds_bucket{le="+Inf",decision="allow"} 4',
      't_seconds_sum{decision="allow"} 2.0065',
      't_seconds_count{decision="allow"} 4',
      't_seconds_bucket{le="0.001",decision="de\\"ny"} 0',
      't_seconds_bucket{le="0.01",decision="de\\"ny"} 0',
      't_seconds_bucket{le="+Inf",decision="de\\"ny"} 1',
      't_seconds_sum{decision="de\\"ny"} 0.02',
      't_seconds_count{decision="de\\"ny"} 1',
      "",
    ].join("\n"),
  );
});
