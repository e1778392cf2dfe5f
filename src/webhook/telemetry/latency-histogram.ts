/** A latency histogram with one label, counted in plain arrays and rendered at scrape time. */
export interface LatencyHistogram {
  readonly observe: (label: string, seconds: number) => void;
  /** The Prometheus text exposition (format 0.0.4) of the histogram: HELP, TYPE, buckets, sum and count. */
  readonly render: () => string;
}

/** How the histogram is named and bucketed. */
export interface LatencyHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelName: string;
  /** Upper bounds in seconds, ascending; +Inf is implied. */
  readonly buckets: readonly number[];
}

interface Series {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * prom-client's Histogram validates and hashes labels on every observation, a measurable share of a
 * core on the admission path (docs/adr/0003); this one finds the bucket and adds, nothing else. The
 * exposition matches prom-client's: cumulative buckets with `le` first, then +Inf, sum and count.
 */
export function latencyHistogram(options: LatencyHistogramOptions): LatencyHistogram {
  const { name, help, labelName, buckets } = options;
  const series = new Map<string, Series>();
  return {
    observe: (label, seconds) => {
      let entry = series.get(label);
      if (entry === undefined) {
        entry = { counts: new Float64Array(buckets.length), sum: 0, count: 0 };
        series.set(label, entry);
      }
      let bucket = 0;
      while (bucket < buckets.length && seconds > (buckets[bucket] ?? Number.POSITIVE_INFINITY)) bucket += 1;
      if (bucket < buckets.length) entry.counts[bucket] = (entry.counts[bucket] ?? 0) + 1;
      entry.sum += seconds;
      entry.count += 1;
    },
    render: () => {
      const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
      for (const [label, entry] of series) {
        const value = `${labelName}="${escapeLabel(label)}"`;
        let cumulative = 0;
        buckets.forEach((bound, index) => {
          cumulative += entry.counts[index] ?? 0;
          lines.push(`${name}_bucket{le="${String(bound)}",${value}} ${String(cumulative)}`);
        });
        lines.push(`${name}_bucket{le="+Inf",${value}} ${String(entry.count)}`, `${name}_sum{${value}} ${String(entry.sum)}`, `${name}_count{${value}} ${String(entry.count)}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
