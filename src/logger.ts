import { pino, type DestinationStream, type Logger } from "pino";

/** How long a buffered log line may wait before it is written. */
const FLUSH_MS = 1000;

/** A JSON logger; the destination is passed in (stdout in production, a buffer in tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: "netguard" }, timestamp: pino.stdTimeFunctions.epochTime }, destination ?? bufferedStdout());
}

/**
 * stdout, written in 4 KiB batches instead of one write per decision line (the webhook logs every
 * request), flushed at least every second and on exit so no line is lost or held back for long.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ fd: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    stream.flush();
  }, FLUSH_MS);
  timer.unref();
  process.once("exit", () => {
    stream.flushSync();
  });
  return stream;
}
