import type { Logger } from "pino";
import { writeCertificateDirectory } from "./certificate-directory.js";
import type { Reconcile, ServedCertificates } from "./self-managed.js";

/** A running renewal loop. */
export interface CertificateRenewal {
  readonly stop: () => void;
}

/**
 * Reconciles every interval and writes what the Secret holds into the certificate directory, which the
 * webhook's certificate reloader follows: a renewal, by this replica or another, reaches every replica.
 * A failed round keeps the pair in use and is retried at the next one.
 */
export function keepCertificatesCurrent(deps: {
  readonly reconcile: Reconcile;
  readonly dir: string;
  readonly intervalMs: number;
  readonly logger: Logger;
}): CertificateRenewal {
  let running = false;
  const round = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const served = await deps.reconcile();
      await writeCertificateDirectory(deps.dir, served.serving, served.caBundle);
    } catch (error) {
      deps.logger.error({ err: error }, "self-managed certificates: reconcile failed; keeping the certificate in use");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void round(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The first reconcile, before the server starts: retried a few times (the API server may be a moment away), then an error. */
export async function firstCertificates(reconcile: Reconcile, dir: string, logger: Logger, attempts = 10, delayMs = 2000): Promise<ServedCertificates> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const served = await reconcile();
      await writeCertificateDirectory(dir, served.serving, served.caBundle);
      return served;
    } catch (error) {
      last = error;
      logger.warn({ err: error, attempt }, "self-managed certificates: first reconcile failed; retrying");
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}
