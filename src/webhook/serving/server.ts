import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { SecureContextOptions } from "node:tls";
import type { Express } from "express";
import type { CertificatePair } from "./certificates.js";

/** The admission path; config/webhook/manifests.yaml points the API server here (a test keeps them equal). */
export const VALIDATE_PATH = "/validate";

/** How to listen: ports (0 picks one), host, TLS material and an optional client CA. */
export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly healthPort: number | undefined;
  readonly pair: CertificatePair;
  /** PEM CA bundle: when set, clients must present a certificate it signed (the API server's). */
  readonly clientCa: string | undefined;
}

/** The two listening servers. */
export interface ListeningServers {
  readonly https: HttpsServer;
  readonly health: HttpServer | undefined;
  readonly port: number;
  readonly healthPort: number | undefined;
  /** Puts a new serving pair in for new handshakes; open connections keep theirs. */
  readonly setPair: (pair: CertificatePair) => void;
  /** Stops accepting, lets in-flight requests finish, then resolves; forces the rest closed after graceMs. */
  readonly close: (graceMs: number) => Promise<void>;
}

/** TLS settings: 1.2 or newer, HTTP/1.1 only (the API server never negotiates h2). */
export function tlsOptions(pair: CertificatePair, clientCa: string | undefined): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean; ALPNProtocols: string[] } {
  return {
    key: pair.key,
    cert: pair.cert,
    minVersion: "TLSv1.2",
    ALPNProtocols: ["http/1.1"],
    requestCert: clientCa !== undefined,
    rejectUnauthorized: clientCa !== undefined,
    ...(clientCa !== undefined ? { ca: clientCa } : {}),
  };
}

/** Starts the HTTPS webhook server (POST /validate to the plain handler, the rest to express) and the probe server. */
export async function listen(
  options: ListenOptions,
  validate: (req: IncomingMessage, res: ServerResponse) => void,
  fallback: Express,
  probes: Express | undefined,
): Promise<ListeningServers> {
  let closing = false;
  const https = createHttpsServer({ ...tlsOptions(options.pair, options.clientCa), keepAliveTimeout: 65_000, requestTimeout: 30_000 }, (req, res) => {
    // While draining, answer and then close the connection so the client reconnects to another replica.
    if (closing) res.setHeader("connection", "close");
    // The API server appends ?timeout=10s: match the path only.
    const url = req.url ?? "";
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (req.method === "POST" && path === VALIDATE_PATH) validate(req, res);
    else fallback(req, res);
  });
  // The API server keeps connections for a long time: time them out well after its own idle timeout.
  https.headersTimeout = 20_000;
  const health = probes && options.healthPort !== undefined ? createHttpServer(probes) : undefined;
  await listenOn(https, options.port, options.host);
  if (health && options.healthPort !== undefined) await listenOn(health, options.healthPort, options.host);
  return {
    https,
    health,
    port: portOf(https),
    healthPort: health ? portOf(health) : undefined,
    setPair: (pair) => {
      https.setSecureContext(tlsOptions(pair, options.clientCa));
    },
    close: async (graceMs) => {
      closing = true;
      const force = setTimeout(() => {
        https.closeAllConnections();
        health?.closeAllConnections();
      }, graceMs);
      force.unref();
      await Promise.all([closeServer(https), health ? closeServer(health) : Promise.resolve()]);
      clearTimeout(force);
    },
  };
}

/** The port a listening server got (port 0 picks one). */
function portOf(server: HttpServer | HttpsServer): number {
  const address: AddressInfo | string | null = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

function listenOn(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    // close() stops accepting and waits for in-flight requests; keep-alive sockets that turn idle
    // after answering are closed as they do, so the drain ends as soon as the last answer is out.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
