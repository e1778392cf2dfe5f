import { stringify } from "yaml";
import { describeRef } from "../kube/object.js";
import type { Suggestion } from "../suggest/suggest-policies.js";
import { printable } from "./printable.js";

/**
 * `netguard suggest`'s output: one YAML document per workload, its comments first. Comments are made
 * printable (a newline in a name would otherwise end the comment and forge YAML); a workload that no
 * policy can help is a document of comments only, which kubectl and check skip.
 */
export function renderSuggestions(suggestions: readonly Suggestion[]): string {
  return suggestions
    .map((suggestion) => {
      const [first = "", ...rest] = suggestion.comments;
      const where = suggestion.source === undefined ? "" : ` (${suggestion.source.file}:${String(suggestion.source.line)})`;
      const comments = [`For ${describeRef(suggestion.for)}${where}: ${first}`, ...rest].map((line) => `# ${printable(line)}\n`).join("");
      return `---\n${comments}${suggestion.policy === undefined ? "" : stringify(suggestion.policy, { version: "1.1", lineWidth: 0 })}`;
    })
    .join("");
}
