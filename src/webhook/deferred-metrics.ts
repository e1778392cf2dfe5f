import { Counter, type Registry } from "prom-client";

/** A counter whose labels are counted in a plain map per request and handed to prom-client at scrape time. */
export interface DeferredCounter<L extends string> {
  readonly inc: (labels: Readonly<Record<L, string>>) => void;
}

/**
 * prom-client validates and hashes labels on every `inc`; at admission rates that is a measurable share of
 * a core (docs/adr/0003). Counting into a map keyed by the label values and flushing in `collect()` gives
 * the same exposition for a fraction of the work.
 */
export function deferredCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): DeferredCounter<L> {
  const pending = new Map<string, { labels: Readonly<Record<L, string>>; count: number }>();
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const entry of pending.values()) {
        if (entry.count > 0) this.inc(entry.labels, entry.count);
        entry.count = 0;
      }
    },
  });
  return {
    inc: (labels) => {
      let key = "";
      for (const label of labelNames) key += `${labels[label]}\u0000`;
      const entry = pending.get(key);
      if (entry) entry.count += 1;
      else pending.set(key, { labels: { ...labels }, count: 1 });
    },
  };
}
