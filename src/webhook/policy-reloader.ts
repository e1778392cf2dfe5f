import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { describeFsError } from "../manifests/read-inputs.js";
import { formatPolicyErrors, parsePolicyText } from "../policy/parse-policy-text.js";
import type { Policy } from "../policy/policy.js";

/** Options for following a policy file (a ConfigMap mounted as a directory). */
export interface PolicyReloaderOptions {
  readonly file: string;
  readonly initialText: string;
  readonly apply: (policy: Policy) => void;
  readonly logger: Logger;
  readonly pollMs: number;
  readonly onResult?: (result: "success" | "invalid") => void;
}

/** A running policy reloader. */
export interface PolicyReloader {
  readonly reload: () => Promise<void>;
  readonly close: () => void;
}

/** Reloads the policy when its file changes; an invalid new policy keeps the old one and is logged. */
export function startPolicyReloader(options: PolicyReloaderOptions): PolicyReloader {
  let lastText = options.initialText;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const reload = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(options.file, "utf8");
    } catch (error) {
      options.logger.error({ file: options.file, error: describeFsError(error) }, "policy reload failed; keeping the policy in use");
      options.onResult?.("invalid");
      return;
    }
    if (text === lastText) return;
    lastText = text;
    const parsed = parsePolicyText(text);
    if (!parsed.ok) {
      options.logger.error({ file: options.file, errors: formatPolicyErrors(options.file, parsed.errors) }, "new policy is invalid; keeping the policy in use");
      options.onResult?.("invalid");
      return;
    }
    options.apply(parsed.value);
    options.logger.info({ file: options.file }, "policy reloaded");
    options.onResult?.("success");
  };
  const serialized = (): Promise<void> => {
    running ??= reload().finally(() => {
      running = undefined;
    });
    return running;
  };
  let watcher: FSWatcher | undefined;
  try {
    // Watch the directory: a ConfigMap update swaps the ..data symlink, not the file's inode.
    watcher = watch(dirname(options.file), () => {
      clearTimeout(timer);
      timer = setTimeout(() => void serialized(), 50);
    });
    watcher.on("error", (error) => options.logger.warn({ err: error }, "policy watch failed; polling continues"));
  } catch (error) {
    options.logger.warn({ err: error }, "cannot watch the policy directory; polling only");
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
