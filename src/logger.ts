import { pino, type DestinationStream, type Logger } from "pino";

/** Log lines are written in batches of about this many bytes (the webhook logs every request). */
const BATCH_BYTES = 4096;

/** A JSON logger; the destination is passed in (stdout in production, a buffer in tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: "netguard" }, timestamp: pino.stdTimeFunctions.epochTime }, destination ?? batchedStdout());
}

/** stdout through pino's own destination, batched, and written out in full on exit. */
function batchedStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, minLength: BATCH_BYTES, sync: false });
  let failed = false;
  // A closed stdout (the log reader went away) must not take the webhook down with it; say so once on stderr.
  destination.on("error", (error: Error) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`netguard: writing logs to stdout failed (${error.message}); log lines are being dropped, admission goes on\n`);
  });
  // Lines wait for a full batch at most a second; what is pending at exit is written before the process ends.
  const timer = setInterval(() => destination.flush(), 1000);
  timer.unref();
  process.once("exit", () => {
    if (!failed) destination.flushSync();
  });
  return destination;
}
