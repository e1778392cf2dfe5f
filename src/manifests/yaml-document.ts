import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

/**
 * kubectl's decoder (go-yaml) lets a document use aliases freely while it stays small and limits only
 * the share of aliased content in large ones ("document contains excessive aliasing"): a manifest with
 * thousands of `*anchor` uses applies, a billion-laughs bomb does not. The same bound here, on the
 * expanded node count, computed before anything is expanded.
 */
const FREE_NODES = 400_000;
/** Several merge keys in one mapping are YAML 1.1's way of merging several maps, not duplicates. */
const MERGE_KEY = "<<";
/** Tags that mean the same to go-yaml as here; any other (!!omap, !!set, !!binary, !Custom) is refused. */
const CORE_TAGS = new Set(["tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"]);
const MAX_ALIAS_SHARE = 0.1;

/** A document's value, or why it is refused (a duplicate key, too much aliased content, a library error), never a throw. */
export function documentToJs(doc: Document.Parsed, options: { readonly mergeKeys: boolean }): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string; readonly offset?: number } {
  const { expanded, source, duplicate, tagged, merged } = nodeCounts(doc);
  if (duplicate) return { ok: false, error: `duplicate key ${JSON.stringify(duplicate.key)} in a mapping (kubectl refuses it)`, offset: duplicate.offset };
  if (expanded > FREE_NODES && (expanded - source) / expanded > MAX_ALIAS_SHARE) {
    return { ok: false, error: `aliases expand this document to more than ${String(FREE_NODES)} nodes (${String(source)} written): refused, as kubectl refuses excessive aliasing` };
  }
  if (tagged) return { ok: false, error: `the YAML tag ${tagged.tag} is read differently by kubectl's decoder: not checked (remove the tag)`, offset: tagged.offset };
  try {
    // The expansion is bounded above, so the library's own count of alias uses is not needed.
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    return { ok: true, value: merged && options.mergeKeys ? applyMergeKeys(value, new Map()) : value };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * YAML 1.1 merge keys as kubectl's decoder (go-yaml v2) applies them: in document order, each key and
 * each `<<` setting what it names, later over earlier, so `hostNetwork: false` then `<<: {hostNetwork:
 * true}` is true. (The yaml library never lets a merge override an explicit key, which reads false.)
 * Of a sequence of maps the earlier ones win, as go-yaml merges them from last to first.
 */
function applyMergeKeys(value: unknown, done: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = done.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    done.set(value, out);
    for (const item of value) out.push(applyMergeKeys(item, done));
    return out;
  }
  const out: Record<string, unknown> = {};
  done.set(value, out);
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key !== MERGE_KEY) {
      out[key] = applyMergeKeys(entry, done);
      continue;
    }
    const sources: unknown[] = Array.isArray(entry) ? [...(entry as unknown[])].reverse() : [entry];
    for (const source of sources) {
      const resolved = applyMergeKeys(source, done);
      if (typeof resolved !== "object" || resolved === null || Array.isArray(resolved)) throw new Error("a merge key (<<) needs a mapping or a list of mappings, as kubectl requires");
      Object.assign(out, resolved);
    }
  }
  return out;
}

/**
 * Nodes as written and as expanded (every alias counted as the size of what it names), memoised per
 * node. The walk goes in document order and keeps the anchors it has passed: an alias names the latest
 * anchor before it (Alias.resolve searches the whole document per alias, quadratic in alias uses).
 */
function nodeCounts(doc: Document.Parsed): {
  expanded: number;
  source: number;
  duplicate: { key: string; offset: number } | undefined;
  tagged: { tag: string; offset: number } | undefined;
  merged: boolean;
} {
  let duplicate: { key: string; offset: number } | undefined;
  let tagged: { tag: string; offset: number } | undefined;
  let merged = false;
  const sizes = new Map<Node, number>();
  const anchors = new Map<string, Node>();
  const active = new Set<Node>();
  let source = 0;
  const size = (node: unknown, counting: boolean): number => {
    if (isAlias(node)) {
      if (counting) source += 1;
      const target = anchors.get(node.source);
      return target ? size(target, false) : 1;
    }
    if (counting && (isScalar(node) || isMap(node) || isSeq(node))) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) tagged ??= { tag: node.tag, offset: node.range?.[0] ?? 0 };
    }
    if (!isMap(node) && !isSeq(node)) {
      if (counting) source += 1;
      return 1;
    }
    const known = sizes.get(node);
    // A collection is counted as written once, however many aliases reach it.
    if (known !== undefined && !counting) return known;
    if (active.has(node)) return 1;
    active.add(node);
    let total = 1;
    if (counting) source += 1;
    // Duplicate keys, checked here in one pass with a set: the parser's own check compares every key
    // with every earlier one (a ConfigMap of 547k keys ran past 200 s).
    const keys = counting && isMap(node) && duplicate === undefined ? new Set<unknown>() : undefined;
    for (const item of node.items) {
      if (isPair(item)) {
        if (keys && isScalar(item.key)) {
          const key = item.key.value;
          if (key === MERGE_KEY) merged = true;
          else if (keys.has(key)) duplicate ??= { key: String(key), offset: item.key.range?.[0] ?? 0 };
          keys.add(key);
        }
        total += size(item.key, counting) + size(item.value, counting);
      } else total += size(item, counting);
    }
    active.delete(node);
    sizes.set(node, total);
    return total;
  };
  const expanded = size(doc.contents, true);
  return { expanded, source, duplicate, tagged, merged };
}
