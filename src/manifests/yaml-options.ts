import type { ParseOptions, DocumentOptions, SchemaOptions } from "yaml";

/**
 * kubectl reads YAML with go-yaml (YAML 1.1 booleans such as `yes`, merge keys) but keeps
 * timestamps as strings; the same settings here make `hostNetwork: yes` mean what kubectl means.
 */
export const KUBE_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  // Merge keys are applied in document order afterwards, as go-yaml applies them (yaml-document.ts).
  merge: false,
  // Duplicate keys are refused, but found in one linear pass (yaml-document.ts), not by the parser's quadratic check.
  uniqueKeys: false,
  // No timestamps (kubectl keeps them as strings) and no merge tag: the 1.1 schema brings one whatever
  // `merge` says, and it would apply merges the library's way rather than go-yaml's.
  customTags: (tags) => tags.filter((tag) => typeof tag === "string" || (tag.tag !== "tag:yaml.org,2002:timestamp" && tag.tag !== "tag:yaml.org,2002:merge")),
};
