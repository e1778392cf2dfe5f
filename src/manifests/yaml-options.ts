import type { ParseOptions, DocumentOptions, SchemaOptions } from "yaml";

/**
 * kubectl reads YAML with go-yaml (YAML 1.1 booleans such as `yes`, merge keys) but keeps
 * timestamps as strings; the same settings here make `hostNetwork: yes` mean what kubectl means.
 */
export const KUBE_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  merge: true,
  // Duplicate keys are refused, but found in one linear pass (yaml-aliases.ts), not by the parser's quadratic check.
  uniqueKeys: false,
  customTags: (tags) => tags.filter((tag) => typeof tag === "string" || tag.tag !== "tag:yaml.org,2002:timestamp"),
};
