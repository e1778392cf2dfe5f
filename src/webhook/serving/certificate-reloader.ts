import type { Logger } from "pino";
import type { CertificatePair } from "./certificates.js";
import { readPair } from "./certificates.js";
import { followDirectory } from "./follow-directory.js";

/** Options for following a mounted certificate Secret. */
export interface ReloaderOptions {
  readonly dir: string;
  /** Swaps the pair into the server (server.setSecureContext): new handshakes only, open connections stay. */
  readonly apply: (pair: CertificatePair) => void;
  readonly logger: Logger;
  readonly pollMs: number;
  readonly onResult?: (result: "success" | "failure", pair: CertificatePair | undefined) => void;
}

/** A running reloader. */
export interface CertificateReloader {
  /** Re-reads the pair now; resolves to whether a new pair went in. */
  readonly reload: () => Promise<boolean>;
  readonly close: () => void;
}

/** Follows DIR/tls.crt and tls.key as the kubelet renews them; a pair that fails to load or match is refused. */
export function startCertificateReloader(initial: CertificatePair, options: ReloaderOptions): CertificateReloader {
  let current = initial.fingerprint + initial.key;
  const reload = async (): Promise<boolean> => {
    const pair = await readPair(options.dir);
    if (!pair.ok) {
      options.logger.error({ dir: options.dir, error: pair.error }, "certificate reload failed; keeping the certificate in use");
      options.onResult?.("failure", undefined);
      return false;
    }
    if (pair.value.fingerprint + pair.value.key === current) return false;
    options.apply(pair.value);
    current = pair.value.fingerprint + pair.value.key;
    options.logger.info({ dir: options.dir, notAfter: pair.value.notAfter.toISOString(), fingerprint: pair.value.fingerprint }, "serving certificate reloaded");
    options.onResult?.("success", pair.value);
    return true;
  };
  const follower = followDirectory(options.dir, reload, { pollMs: options.pollMs, logger: options.logger, what: "certificate" });
  return { reload: follower.check, close: follower.close };
}
