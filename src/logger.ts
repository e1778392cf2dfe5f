import { pino, type DestinationStream, type Logger } from "pino";

/** A JSON logger; the destination is passed in (stdout in production, a buffer in tests). */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ fd: 1, sync: false })): Logger {
  return pino({ level, base: { app: "netguard" }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
