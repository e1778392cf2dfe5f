import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "pino";

/** A running follower: `check` runs the reload now (never two at once); `close` stops watching and polling. */
export interface Follower<T> {
  readonly check: () => Promise<T>;
  readonly close: () => void;
}

/**
 * Runs `reload` whenever a mounted Secret or ConfigMap directory changes. The kubelet swaps a `..data`
 * symlink (several renames), so the directory itself is watched, events are debounced, and the
 * directory is also polled, since watch events can be missed.
 */
export function followDirectory<T>(dir: string, reload: () => Promise<T>, options: { readonly pollMs: number; readonly logger: Logger; readonly what: string }): Follower<T> {
  let running: Promise<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const check = (): Promise<T> => {
    running ??= reload().finally(() => {
      running = undefined;
    });
    return running;
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void check(), 50);
    });
    watcher.on("error", (error) => options.logger.warn({ err: error, dir }, `${options.what} watch failed; polling continues`));
  } catch (error) {
    options.logger.warn({ err: error, dir }, `cannot watch the ${options.what} directory; polling only`);
  }
  const poll = setInterval(() => void check(), options.pollMs);
  poll.unref();
  return {
    check,
    close: () => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
