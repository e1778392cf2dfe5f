import type { Logger } from "pino";

/** What one admission decision line says (never the object body). */
export interface DecisionEntry {
  readonly uid: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly operation: string;
  /** "" when the request is for the object itself. */
  readonly subResource: string;
  readonly user: string;
  readonly dryRun: boolean;
  readonly decision: string;
  readonly rules: readonly string[];
  /** Logged to the microsecond. */
  readonly durationMs: number;
}

/** The message of every decision line. */
export const DECISION_MESSAGE = "admission decision";

/** Logs one line per decision through pino's own API: `logger.info(fields, "admission decision")`. */
export function createDecisionLog(logger: Logger): (entry: DecisionEntry) => void {
  return (entry) => logger.info(fieldsOf(entry), DECISION_MESSAGE);
}

/** The fields of a decision line: an empty subresource left out, the duration to the microsecond. */
export function fieldsOf(entry: DecisionEntry): Record<string, unknown> {
  const { subResource, durationMs, ...rest } = entry;
  return { ...rest, ...(subResource === "" ? {} : { subResource }), durationMs: Math.round(durationMs * 1000) / 1000 };
}
