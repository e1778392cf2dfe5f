import { pino, type Logger } from "pino";

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

const INFO = pino.levels.values["info"] ?? 30;

/**
 * Writes one line per decision to the logger's own destination: the line pino writes for
 * `logger.info(fields, "admission decision")`, serialised here because pino's generic serialiser was a
 * measurable share of a core at admission rates (docs/adr/0003). A test keeps the two lines equal.
 */
export function createDecisionLog(logger: Logger): (entry: DecisionEntry) => void {
  const stream: unknown = Reflect.get(logger, pino.symbols.streamSym);
  const bindings: unknown = Reflect.get(logger, pino.symbols.chindingsSym);
  if (!isWritable(stream) || typeof bindings !== "string") return (entry) => logger.info(fieldsOf(entry), DECISION_MESSAGE);
  const clock = millisecondText();
  return (entry) => {
    if (logger.levelVal > INFO) return;
    const subResource = entry.subResource === "" ? "" : `,"subResource":${quote(entry.subResource)}`;
    stream.write(
      `{"level":${String(INFO)},"time":${clock()}${bindings},"uid":${quote(entry.uid)},"kind":${quote(entry.kind)},"namespace":${quote(entry.namespace)}` +
        `,"name":${quote(entry.name)},"operation":${quote(entry.operation)}${subResource},"user":${quote(entry.user)},"dryRun":${entry.dryRun ? "true" : "false"}` +
        `,"decision":${quote(entry.decision)},"rules":[${entry.rules.map(quote).join(",")}],"durationMs":${milliseconds(entry.durationMs)},"msg":"${DECISION_MESSAGE}"}\n`,
    );
  };
}

/** The same fields as an object, for pino: an empty subresource left out, the duration to the microsecond. */
export function fieldsOf(entry: DecisionEntry): Record<string, unknown> {
  const { subResource, durationMs, ...rest } = entry;
  return { ...rest, ...(subResource === "" ? {} : { subResource }), durationMs: Math.round(durationMs * 1000) / 1000 };
}

/** Characters JSON.stringify would escape: quote, backslash, controls, and surrogates (lone ones are escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal; plain text (nearly every name and uid) skips the call into the native serialiser. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Date.now() as text, converted once per millisecond (several decisions share a millisecond under load). */
function millisecondText(): () => string {
  let last = -1;
  let text = "";
  return () => {
    const now = Date.now();
    if (now !== last) {
      last = now;
      text = String(now);
    }
    return text;
  };
}

/** A duration in milliseconds with microsecond precision, formatted from integers (JSON number syntax). */
function milliseconds(value: number): string {
  if (!Number.isFinite(value) || value < 0 || value > 1e9) return JSON.stringify(value);
  const micros = Math.round(value * 1000);
  const fraction = micros % 1000;
  const whole = (micros - fraction) / 1000;
  return fraction === 0 ? String(whole) : `${String(whole)}.${String(fraction).padStart(3, "0")}`;
}

function isWritable(value: unknown): value is { write: (text: string) => unknown } {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "write") === "function";
}
