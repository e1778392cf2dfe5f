import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "pino";
import type { CertificatePair } from "./certificates.js";
import { readPair } from "./certificates.js";

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

/**
 * Follows DIR the way the kubelet updates Secret volumes (a new timestamped directory, then an atomic
 * rename of the ..data symlink): watch the directory itself, and poll as well, since events can be missed.
 */
export function startCertificateReloader(initial: CertificatePair, options: ReloaderOptions): CertificateReloader {
  let current = initial.fingerprint + initial.key;
  let running: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
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
  const serialized = (): Promise<boolean> => {
    running ??= reload().finally(() => {
      running = undefined;
    });
    return running;
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(options.dir, () => {
      // Debounce: a swap is several renames; read once they have settled.
      clearTimeout(timer);
      timer = setTimeout(() => void serialized(), 50);
    });
    watcher.on("error", (error) => options.logger.warn({ err: error }, "certificate directory watch failed; polling continues"));
  } catch (error) {
    options.logger.warn({ err: error }, "cannot watch the certificate directory; polling only");
  }
  const poll = setInterval(() => void serialized(), options.pollMs);
  poll.unref();
  return {
    reload: serialized,
    close: () => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
