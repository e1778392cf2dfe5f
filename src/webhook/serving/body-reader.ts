import type { IncomingMessage } from "node:http";

/** Reading a body either gives its text or says why not, with the HTTP status to answer. */
export type BodyRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 408 | 413 | 503; readonly error: string };

/**
 * Bounds on unfinished bodies, shared by every connection: a body must arrive within `timeoutMs`, and
 * all bodies still arriving may hold at most `budgetBytes` between them (80 connections that each
 * send 7 MiB of a 7 MiB body and stop held 725 MB for as long as they liked).
 */
export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly budgetBytes: number;
}

/** Unfinished reads and the bytes they hold, swept for the deadline once a second (no timer per request). */
export interface BodyTracker {
  /** Settles once the body has ended or failed a bound; never rejects. */
  readonly read: (req: IncomingMessage) => Promise<BodyRead>;
  /** Bytes held by bodies still arriving. */
  readonly held: () => number;
  readonly close: () => void;
}

interface Pending {
  readonly started: number;
  bytes: number;
  readonly fail: (read: BodyRead) => void;
}

/** Creates the tracker; `now` in milliseconds. */
export function createBodyTracker(limits: BodyLimits, now: () => number = Date.now): BodyTracker {
  const pending = new Map<IncomingMessage, Pending>();
  let held = 0;
  const sweep = setInterval(() => {
    const at = now();
    for (const [, entry] of pending) {
      if (at - entry.started > limits.timeoutMs) entry.fail({ ok: false, status: 408, error: `the body did not arrive within ${String(limits.timeoutMs / 1000)} s` });
    }
  }, Math.min(1000, limits.timeoutMs));
  sweep.unref();
  return {
    held: () => held,
    close: () => clearInterval(sweep),
    read: (req) => new Promise((onRead) => {
      const declared = declaredLength(req.rawHeaders);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        onRead({ ok: false, status: 413, error: `body of ${String(declared)} bytes exceeds the ${String(limits.maxBytes)}-byte limit` });
        return;
      }
      const chunks: Buffer[] = [];
      let done = false;
      const release = (): void => {
        const entry = pending.get(req);
        if (entry) held -= entry.bytes;
        pending.delete(req);
        chunks.length = 0;
      };
      const finish = (read: BodyRead): void => {
        if (done) return;
        done = true;
        release();
        onRead(read);
      };
      const entry: Pending = { started: now(), bytes: 0, fail: finish };
      pending.set(req, entry);
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        if (entry.bytes + chunk.length > limits.maxBytes) {
          finish({ ok: false, status: 413, error: `body exceeds the ${String(limits.maxBytes)}-byte limit` });
          return;
        }
        if (held + chunk.length > limits.budgetBytes) {
          finish({ ok: false, status: 503, error: "too many request bodies are arriving at once; retry" });
          return;
        }
        entry.bytes += chunk.length;
        held += chunk.length;
        chunks.push(chunk);
      });
      req.on("end", () => {
        if (done) return;
        const text = chunks.length === 1 && chunks[0] ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8");
        finish({ ok: true, text });
      });
      // A client that goes away mid-body errors here, or is failed by the sweep at the deadline: either
      // way its bytes stop counting, without one more listener on every request.
      req.on("error", (error) => finish({ ok: false, status: 400, error: `reading the body failed: ${error.message}` }));
    }),
  };
}

/** The Content-Length header's value, read from the raw pairs: `req.headers` builds a whole object on first use. */
function declaredLength(raw: readonly string[]): number {
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index];
    if (name?.length === 14 && name.toLowerCase() === "content-length") return Number(raw[index + 1]);
  }
  return Number.NaN;
}
