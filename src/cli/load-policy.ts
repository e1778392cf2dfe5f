import { readFile } from "node:fs/promises";
import { describeFsError } from "../manifests/read-inputs.js";
import { DEFAULT_POLICY, type Policy } from "../policy/policy.js";
import { formatPolicyErrors, parsePolicyText } from "../policy/parse-policy-text.js";

/** Reads and checks a policy file; no file means the built-in policy. Errors name the file, line and key. */
export async function loadPolicy(path: string | undefined): Promise<{ ok: true; value: Policy } | { ok: false; error: string }> {
  if (path === undefined) return { ok: true, value: DEFAULT_POLICY };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { ok: false, error: `${path}: cannot read policy: ${describeFsError(error)}` };
  }
  const parsed = parsePolicyText(text);
  return parsed.ok ? parsed : { ok: false, error: `invalid policy:\n${formatPolicyErrors(path, parsed.errors)}` };
}
