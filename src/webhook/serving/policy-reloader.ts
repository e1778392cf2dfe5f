import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { describeFsError } from "../../manifests/read-inputs.js";
import { formatPolicyErrors, parsePolicyText } from "../../policy/parse-policy-text.js";
import { followDirectory } from "./follow-directory.js";
import type { Policy } from "../../policy/policy.js";

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
  const follower = followDirectory(dirname(options.file), reload, { pollMs: options.pollMs, logger: options.logger, what: "policy" });
  return { reload: follower.check, close: follower.close };
}
