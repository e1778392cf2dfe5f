/** The outcome of an open-loop run: every request is accounted for. */
export interface LoadResult {
  readonly sent: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  /** Milliseconds from each request's scheduled time to its answer. */
  readonly latencies: readonly number[];
}

/**
 * Sends requests on a clock (open loop): request i is due at start + i/rate whatever earlier ones are
 * doing, and its latency counts from when it was due. Bounded by count and time; stops by itself.
 */
export async function openLoop(options: {
  readonly rate: number;
  readonly durationMs: number;
  readonly send: (index: number) => Promise<{ status: number }>;
  readonly onTick?: (index: number) => void;
}): Promise<LoadResult> {
  const total = Math.floor((options.rate * options.durationMs) / 1000);
  const start = performance.now();
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    options.onTick?.(i);
    pending.push(
      options.send(i).then(
        (answer) => {
          statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
          latencies.push(performance.now() - due);
        },
        (error: unknown) => {
          errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        },
      ),
    );
  }
  await Promise.all(pending);
  return { sent: total, statuses, errors, latencies };
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
