import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { documentToJs } from "./yaml-document.js";
import { KUBE_YAML_OPTIONS } from "./yaml-options.js";

/** One decoded YAML/JSON document (or List item), the line it starts on, and where its fields are. */
export interface ManifestDocument {
  readonly value: unknown;
  readonly line: number;
  /** The line of a field path such as "spec.containers[1].ports[0]" (its nearest present ancestor). */
  readonly fieldLine: (field: string) => number;
}

/** A place in an input that could not be read. */
export interface ManifestError {
  readonly line: number;
  readonly message: string;
}

/** What one input file held: its documents (List wrappers unwrapped) and its errors. */
export interface ParsedManifests {
  readonly documents: readonly ManifestDocument[];
  readonly errors: readonly ManifestError[];
}

/** Parses multi-document YAML or JSON, unwrapping `kind: List` and `*List` wrappers; a bad document does not hide the others. */
export function parseManifests(text: string): ParsedManifests {
  // kubectl reads a stream that starts with "{" as JSON, value after value (newline-delimited JSON included).
  const values = jsonValueStarts(text);
  if (values !== undefined && values.length > 1) return concatenated(text, values);
  return parseYamlStream(text);
}

/** Each JSON value of a concatenated stream read on its own, its lines counted from the stream's start. */
function concatenated(text: string, starts: readonly number[]): ParsedManifests {
  const documents: ManifestDocument[] = [];
  const errors: ManifestError[] = [];
  let base = 0;
  let counted = 0;
  for (const [index, start] of starts.entries()) {
    // Lines before this value: counted on from the previous value's start, so the whole scan is linear.
    for (; counted < start; counted += 1) if (text.charCodeAt(counted) === 10) base += 1;
    const before = base;
    const part = parseYamlStream(text.slice(start, starts[index + 1] ?? text.length));
    for (const doc of part.documents) documents.push({ value: doc.value, line: doc.line + before, fieldLine: (field) => doc.fieldLine(field) + before });
    for (const error of part.errors) errors.push({ line: error.line + before, message: error.message });
  }
  return { documents, errors };
}

/**
 * Where each top-level JSON value of a stream starts, when the stream is JSON values one after another
 * ("{" first, as kubectl's YAMLOrJSONDecoder decides), or undefined. One linear scan of strings and brackets.
 */
function jsonValueStarts(text: string): number[] | undefined {
  let index = 0;
  const skipSpace = (): void => {
    while (index < text.length && /\s/.test(text[index] ?? "")) index += 1;
  };
  skipSpace();
  if (text[index] !== "{") return undefined;
  const starts: number[] = [];
  while (index < text.length) {
    if (text[index] !== "{") return undefined;
    starts.push(index);
    let depth = 0;
    let inString = false;
    for (; index < text.length; index += 1) {
      const char = text[index];
      if (inString) {
        if (char === "\\") index += 1;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === "{" || char === "[") depth += 1;
      else if (char === "}" || char === "]") {
        depth -= 1;
        if (depth === 0) {
          index += 1;
          break;
        }
      }
    }
    if (depth !== 0) return starts.length > 1 ? starts : undefined;
    skipSpace();
  }
  return starts;
}

/** A parser error repeated for every level of an unclosed deep collection is listed this many times at most. */
const ERRORS_PER_DOCUMENT = 5;

function parseYamlStream(text: string): ParsedManifests {
  const lineCounter = new LineCounter();
  const documents: ManifestDocument[] = [];
  const errors: ManifestError[] = [];
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  for (const doc of parseAllDocuments(text, { ...KUBE_YAML_OPTIONS, lineCounter })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors.slice(0, ERRORS_PER_DOCUMENT)) errors.push({ line: error.linePos?.[0].line ?? lineOf(error.pos[0]), message: yamlErrorText(error.message) });
      const more = doc.errors.length - ERRORS_PER_DOCUMENT;
      if (more > 0) errors.push({ line: lineOf(doc.errors[ERRORS_PER_DOCUMENT]?.pos[0]), message: `and ${String(more)} more YAML errors in this document (fix the first ones: the rest usually follow from them)` });
      continue;
    }
    const contents = doc.contents;
    if (contents === null) continue; // an empty document, as helm emits between templates
    const read = documentToJs(doc, { mergeKeys: true });
    if (!read.ok) {
      errors.push({ line: lineOf(read.offset ?? contents.range?.[0]), message: read.error });
      continue;
    }
    const value = read.value;
    if (value === null || value === undefined) continue;
    const items = listItems(value, contents);
    const document = (item: unknown, node: Node | undefined): ManifestDocument => {
      const line = lineOf(node?.range?.[0] ?? contents.range?.[0]);
      return { value: item, line, fieldLine: (field) => fieldLineIn(node, field, lineCounter) ?? line };
    };
    if (items === undefined) documents.push(document(value, contents));
    else for (const [index, item] of items.values.entries()) documents.push(document(item, items.nodes[index]));
  }
  return { documents, errors };
}

/** List wrappers nest this deep at most; kubectl flattens any depth, but nothing real nests past a few. */
const MAX_LIST_DEPTH = 100;

/**
 * A `kind: List` (or FooList) with items: its items and their YAML nodes, for line numbers, with Lists
 * inside Lists flattened recursively as kubectl's resource builder does (a List inside a List is two
 * levels of wrapping, not one object).
 */
function listItems(value: unknown, node: Node | null | undefined, depth = 0): { values: unknown[]; nodes: (Node | undefined)[] } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const kind = "kind" in value ? value.kind : undefined;
  const items = "items" in value ? value.items : undefined;
  if (typeof kind !== "string" || !kind.endsWith("List") || !Array.isArray(items) || depth >= MAX_LIST_DEPTH) return undefined;
  const itemsNode = isMap(node) ? node.get("items", true) : undefined;
  const itemNodes = isSeq(itemsNode) ? itemsNode.items.map((item) => (isMap(item) || isSeq(item) ? item : undefined)) : [];
  const values: unknown[] = [];
  const nodes: (Node | undefined)[] = [];
  for (const [index, item] of items.entries()) {
    const inner = listItems(item, itemNodes[index], depth + 1);
    if (inner === undefined) {
      values.push(item);
      nodes.push(itemNodes[index]);
    } else {
      values.push(...inner.values);
      nodes.push(...inner.nodes);
    }
  }
  return { values, nodes };
}

/** Splits "a.b[2].c" into ["a", "b", 2, "c"]. */
export function splitFieldPath(field: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const segment of field.split(".")) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(segment);
    if (match === null) {
      parts.push(segment);
      continue;
    }
    if (match[1]) parts.push(match[1]);
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

function fieldLineIn(node: Node | undefined, field: string, lineCounter: LineCounter): number | undefined {
  let current: unknown = node;
  let line: number | undefined;
  // Walk key by key, remembering the last line found: a defaulted field (an absent protocol) has no
  // node, so it points at its nearest present ancestor; a mapping key points at the key's own line.
  for (const part of splitFieldPath(field)) {
    if (isMap(current) && typeof part === "string") {
      const pair = current.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (pair === undefined) break;
      const start = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (start !== undefined) line = lineCounter.linePos(start).line;
      current = pair.value;
    } else if (isSeq(current) && typeof part === "number") {
      const item: unknown = current.items[part];
      if (!isNode(item)) break;
      if (item.range) line = lineCounter.linePos(item.range[0]).line;
      current = item;
    } else {
      break;
    }
  }
  return line;
}

/** The yaml library's message without the code excerpt that follows its first line (nor that line's colon). */
export function yamlErrorText(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/:$/, "");
}
