import { Watch, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { asObject, asString } from "../kube/fields.js";

/** One page of a list call, as client-node's typed APIs return it. */
export interface ListPage {
  readonly items: readonly unknown[];
  readonly metadata?: { readonly resourceVersion?: string | undefined; readonly _continue?: string | undefined } | undefined;
}

/** What to list and watch, and where each list and event goes. */
export interface ListWatchOptions {
  /** The kind's name in log lines: "NetworkPolicy", "Namespace". */
  readonly what: string;
  /** The collection's path for watches: /apis/networking.k8s.io/v1/networkpolicies. */
  readonly path: string;
  readonly list: (cont: string | undefined) => Promise<ListPage>;
  /** Every item of a complete list, handed over in one go so lookups never see half a list. */
  readonly replace: (items: readonly unknown[]) => void;
  readonly event: (type: "ADDED" | "MODIFIED" | "DELETED", object: unknown) => void;
  readonly logger: Logger;
  readonly retryMs: number;
  /** After every list and every event but bookmarks. */
  readonly onChange?: () => void;
  /** Once, after the first complete list. */
  readonly onSynced?: () => void;
}

/** A running list-then-watch loop. */
export interface ListWatch {
  /** True once the first list has completed; stays true through later watch outages. */
  readonly isSynced: () => boolean;
  /** Resolves when first synced (or never, if the API server never answers). */
  readonly synced: Promise<void>;
  readonly stop: () => Promise<void>;
}

/** Watches this short-lived are retried after a pause, so a server that closes at once is not hammered. */
const MIN_WATCH_MS = 1000;

/**
 * Lists (paginated) then watches with client-node's Watch, as an informer does: a watch that ends
 * resumes from the last resourceVersion, 410 Gone relists, and failures retry after `retryMs`.
 */
export function startListWatch(config: KubeConfig, options: ListWatchOptions): ListWatch {
  const watcher = new Watch(config);
  let synced = false;
  let stopped = false;
  let resourceVersion = "";
  let request: AbortController | undefined;
  let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  let markSynced: () => void = () => undefined;
  const syncedPromise = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      sleeping = { timer: setTimeout(resolve, ms), wake: resolve };
    });

  const relist = async (): Promise<void> => {
    const items: unknown[] = [];
    let cont: string | undefined;
    let version = "";
    do {
      const page = await options.list(cont);
      for (const item of page.items) items.push(item);
      version ||= page.metadata?.resourceVersion ?? "";
      cont = page.metadata?._continue || undefined;
    } while (cont !== undefined);
    options.replace(items);
    resourceVersion = version;
    if (!synced) {
      synced = true;
      options.onSynced?.();
      markSynced();
    }
    options.onChange?.();
  };

  const watchOnce = async (): Promise<unknown> => {
    const started = Date.now();
    const ended = await new Promise<unknown>((resolve) => {
      watcher
        .watch(
          options.path,
          { resourceVersion, allowWatchBookmarks: true },
          (type: string, object: unknown) => {
            const version = asString(asObject(asObject(object)?.["metadata"])?.["resourceVersion"]);
            if (type === "ERROR") {
              // 410 Gone: our resourceVersion was compacted away; the stream ends and we relist.
              if (asObject(object)?.["code"] === 410) resourceVersion = "";
              return;
            }
            if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") options.event(type, object);
            if (version) resourceVersion = version;
            if (type !== "BOOKMARK") options.onChange?.();
          },
          (error: unknown) => resolve(error ?? null),
        )
        .then(
          (controller) => {
            request = controller;
            // stop() may have come while the watch was being opened: it must not outlive it.
            if (stopped) controller.abort();
          },
          (error: unknown) => resolve(error),
        );
    });
    request = undefined;
    if (ended !== null && asObject(ended)?.["statusCode"] === 410) resourceVersion = "";
    if (ended !== null || Date.now() - started < MIN_WATCH_MS) return ended ?? new Error("watch closed at once");
    return null;
  };

  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        if (resourceVersion === "") await relist();
        const failure = await watchOnce();
        if (failure !== null && !stopped) {
          options.logger.warn({ err: failure, retryMs: options.retryMs, synced }, `${options.what} watch failed; retrying`);
          await pause(options.retryMs);
        }
      } catch (error) {
        if (stopped) return;
        options.logger.warn({ err: error, retryMs: options.retryMs, synced }, `${options.what} list failed; retrying`);
        await pause(options.retryMs);
      }
    }
  };
  void run();
  return {
    isSynced: () => synced,
    synced: syncedPromise,
    stop: () => {
      stopped = true;
      request?.abort();
      if (sleeping) {
        clearTimeout(sleeping.timer);
        sleeping.wake();
      }
      return Promise.resolve();
    },
  };
}
