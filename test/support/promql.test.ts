import { describe, expect, it } from "vitest";
import { metricNames, scrapedNames } from "./promql.js";

describe("metricNames: what the metrics check reads from a query", () => {
  it.each([
    ["a bare name", "up", ["up"]],
    ["functions and grouping lists are not metrics", 'sum by (decision) (rate(netguard_admission_requests_total{decision="deny", namespace=~"$namespace"}[$__rate_interval]))', ["netguard_admission_requests_total"]],
    ["strings with braces and words inside", 'count(x{name=~"a{1}b and c"})', ["x"]],
    ["two metrics, offset and vector()", "sum(rate(a_total[10m])) > 3 * (sum(rate(b_total[1h] offset 10m)) or vector(0))", ["a_total", "b_total"]],
    ["time() and arithmetic", "min by (pod) (netguard_certificate_expiry_timestamp_seconds) - time() < 7 * 86400", ["netguard_certificate_expiry_timestamp_seconds"]],
    ["histogram_quantile over buckets", "histogram_quantile(0.99, sum by (name, le) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m])))", ["apiserver_admission_webhook_admission_duration_seconds_bucket"]],
  ])("%s", (_name, expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it("scrapedNames: declared families (a histogram's three series) and samples", () => {
    const text = "# HELP h Latency.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\n# TYPE c counter\nc_total{x=\"y\"} 3\nplain 1\n";
    expect([...scrapedNames(text)].sort()).toEqual(["c", "c_total", "h", "h_bucket", "h_count", "h_sum", "plain"]);
  });
});
