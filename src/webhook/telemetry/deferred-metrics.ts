import { Counter, type Registry } from "prom-client";

/** A counter whose labels are counted in plain maps per request and handed to prom-client at scrape time. */
export interface DeferredCounter<L extends string> {
  readonly inc: (labels: Readonly<Record<L, string>>) => void;
}

/** One level of label values; the last level holds the count. */
interface Level<L extends string> {
  readonly next: Map<string, Level<L>>;
  entry: Entry<L> | undefined;
}

interface Entry<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  count: number;
}

/**
 * prom-client validates and hashes labels on every `inc`; at admission rates that is a measurable share of
 * a core (docs/adr/0003). Counting into one map per label (no key string built per request) and flushing in
 * `collect()` gives the same exposition for a fraction of the work.
 */
export function deferredCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): DeferredCounter<L> {
  const root: Level<L> = { next: new Map(), entry: undefined };
  const entries: Entry<L>[] = [];
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const entry of entries) {
        if (entry.count > 0) this.inc(entry.labels, entry.count);
        entry.count = 0;
      }
    },
  });
  return {
    inc: (labels) => {
      let level = root;
      for (const label of labelNames) {
        const value = labels[label];
        let next = level.next.get(value);
        if (next === undefined) {
          next = { next: new Map(), entry: undefined };
          level.next.set(value, next);
        }
        level = next;
      }
      if (level.entry === undefined) {
        level.entry = { labels: { ...labels }, count: 0 };
        entries.push(level.entry);
      }
      level.entry.count += 1;
    },
  };
}
