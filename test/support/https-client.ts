import { Agent, request } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";

/** One HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
  readonly peerFingerprint: string | undefined;
}

/** A keep-alive HTTPS client that verifies the server against the test CA (undefined: `serve --dev`'s self-signed certificate, not verified). */
export function httpsClient(ca: string | undefined, options: { cert?: string; key?: string; keepAlive?: boolean; maxSockets?: number } = {}) {
  const trust = ca === undefined ? { rejectUnauthorized: false } : { ca };
  const agent = new Agent({ ...trust, keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 8, ...(options.cert ? { cert: options.cert, key: options.key } : {}) });
  const send = (url: string, body: string | Buffer | undefined, method = "POST", headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method, agent, headers: { "content-type": "application/json", ...headers } }, (res) => {
        // Read the peer certificate now: a keep-alive agent detaches the socket once the body ends.
        const peer: PeerCertificate | undefined = (res.socket as TLSSocket | null)?.getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peerFingerprint: peer?.fingerprint256 });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  return { agent, send, close: () => agent.destroy() };
}

/** A POST whose headers and first part of the body are sent now and the rest on `finish()`: a request truly in flight. */
export function halfSentRequest(url: string, agent: Agent, body: string, sentBytes: number): { answer: Promise<number>; finish: () => void } {
  let finish: () => void = () => undefined;
  const answer = new Promise<number>((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.write(body.slice(0, sentBytes));
    finish = () => req.end(body.slice(sentBytes));
  });
  return { answer, finish: () => finish() };
}
