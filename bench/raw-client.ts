import { connect, type TLSSocket } from "node:tls";

/** One keep-alive TLS connection sending pre-built HTTP/1.1 requests, one at a time, with a minimal parser. */
export interface RawConnection {
  readonly send: (request: Buffer) => Promise<number>;
  readonly close: () => void;
}

/** Opens a verified TLS connection (the CA must sign the server's certificate for `servername`). */
export function openConnection(options: { host: string; port: number; ca: string; servername: string }): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: options.host, port: options.port, ca: options.ca, servername: options.servername, ALPNProtocols: ["http/1.1"] }, () => {
      resolve({ send, close: () => socket.destroy() });
    });
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString("latin1");
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? "0");
        if (buffer.length < end + 4 + length) return;
        const status = Number(head.slice(9, 12));
        buffer = buffer.subarray(end + 4 + length);
        const current = waiting;
        waiting = undefined;
        current?.resolve(status);
      }
    });
    socket.on("error", (error: Error) => {
      waiting?.reject(error);
      waiting = undefined;
      reject(error);
    });
    socket.on("close", () => {
      waiting?.reject(new Error("connection closed"));
      waiting = undefined;
    });
    const send = (request: Buffer): Promise<number> =>
      new Promise((resolveSend, rejectSend) => {
        waiting = { resolve: resolveSend, reject: rejectSend };
        socket.write(request);
      });
  });
}

/** Builds the bytes of a POST /validate request as the API server sends it. */
export function validateRequest(body: string): Buffer {
  const payload = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: application/json, */*\r\nContent-Length: ${String(payload.length)}\r\n\r\n`),
    payload,
  ]);
}
