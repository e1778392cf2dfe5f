import { isNode, LineCounter, parseDocument } from "yaml";
import { yamlErrorText } from "../manifests/parse-manifests.js";
import { documentToJs } from "../manifests/yaml-document.js";
import { parsePolicy, type Policy, type PolicyError } from "./policy.js";

/** Parses a policy file's text; errors carry the key path and the line it is on. */
export function parsePolicyText(text: string): { ok: true; value: Policy } | { ok: false; errors: PolicyError[] } {
  const lineCounter = new LineCounter();
  // YAML 1.2: in a policy `action: off` must stay the string "off", not YAML 1.1's boolean false.
  const doc = parseDocument(text, { version: "1.2", uniqueKeys: false, lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({ path: "(yaml)", line: error.linePos?.[0].line, message: yamlErrorText(error.message) })),
    };
  }
  const locate = (path: readonly (string | number)[]): number | undefined => {
    // The key may be missing (a required reason): point at the nearest enclosing node that exists.
    for (let length = path.length; length >= 0; length -= 1) {
      const node: unknown = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  // Aliases are as welcome here as in manifests, and a bomb is an error naming the file, never a crash.
  // YAML 1.2 has no merge keys: "<<" is a key like any other there.
  const read = documentToJs(doc, { mergeKeys: false });
  if (!read.ok) return { ok: false, errors: [{ path: "(yaml)", line: read.offset === undefined ? locate([]) : lineCounter.linePos(read.offset).line, message: read.error }] };
  return parsePolicy(read.value, locate);
}

/** One line per error: "policy.yaml:12: rules.tcp-only.action: "block" is not one of …". */
export function formatPolicyErrors(file: string, errors: readonly PolicyError[]): string {
  return errors.map((error) => `${file}${error.line === undefined ? "" : `:${String(error.line)}`}: ${error.path}: ${error.message}`).join("\n");
}
