import type { IncomingMessage } from "node:http";

/** Reading a body either gives its text or says why not, with the HTTP status to answer. */
export type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 400 | 413; readonly error: string };

/** Reads a request body up to a limit, then calls back once; a larger one is refused as soon as it is known to be larger. */
export function readBody(req: IncomingMessage, limit: number, onRead: (read: BodyRead) => void): void {
  const declared = declaredLength(req.rawHeaders);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    onRead({ ok: false, status: 413, error: `body of ${String(declared)} bytes exceeds the ${String(limit)}-byte limit` });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on("data", (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > limit) {
      done = true;
      onRead({ ok: false, status: 413, error: `body exceeds the ${String(limit)}-byte limit` });
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (done) return;
    done = true;
    onRead({ ok: true, text: chunks.length === 1 && chunks[0] ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8") });
  });
  req.on("error", (error) => {
    if (done) return;
    done = true;
    onRead({ ok: false, status: 400, error: `reading the body failed: ${error.message}` });
  });
}

/** The Content-Length header's value, read from the raw pairs: `req.headers` builds a whole object on first use. */
function declaredLength(raw: readonly string[]): number {
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index];
    if (name?.length === 14 && name.toLowerCase() === "content-length") return Number(raw[index + 1]);
  }
  return Number.NaN;
}
