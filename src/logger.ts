import { pino, type DestinationStream, type Logger } from "pino";

/** How long a buffered log line may wait before it is written. */
const FLUSH_MS = 1000;
/** Lines are written in batches of about this many characters. */
const BATCH_CHARS = 4096;

/** A JSON logger; the destination is passed in (stdout in production, a buffer in tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: "netguard" }, timestamp: pino.stdTimeFunctions.epochTime }, destination ?? bufferedStdout());
}

/** Where a batch goes: stdout in production; passed in so tests can watch the batching. */
export interface BatchSink {
  readonly write: (text: string) => void;
}

/** A destination that collects lines and hands them to the sink in batches: no line is lost or reordered. */
export interface BufferedDestination extends DestinationStream {
  readonly flush: () => void;
}

/**
 * Collects lines and writes them in batches of about 4 KiB, at least every second and on exit, rather
 * than one write per decision line (the webhook logs every request). Lines are kept as they come and
 * joined once per batch: sonic-boom's batching measured the byte length of its whole pending buffer on
 * every line, a measurable share of a core at admission rates (docs/adr/0003).
 */
export function bufferedDestination(sink: BatchSink): BufferedDestination {
  let pending: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const batch = pending.join("");
    pending = [];
    size = 0;
    sink.write(batch);
  };
  return {
    write: (line: string) => {
      pending.push(line);
      size += line.length;
      if (size >= BATCH_CHARS) flush();
    },
    flush,
  };
}

/** stdout, batched; on Linux writes to pipes and files are synchronous, so the exit flush is complete. */
function bufferedStdout(): DestinationStream {
  let stdoutFailed = false;
  // A closed stdout (the log reader went away) must not take the webhook down with it; say so once on stderr.
  process.stdout.on("error", (error: Error) => {
    if (stdoutFailed) return;
    stdoutFailed = true;
    process.stderr.write(`netguard: writing logs to stdout failed (${error.message}); log lines are being dropped, admission goes on\n`);
  });
  const destination = bufferedDestination({ write: (text) => process.stdout.write(text) });
  const timer = setInterval(destination.flush, FLUSH_MS);
  timer.unref();
  process.once("exit", destination.flush);
  return destination;
}
