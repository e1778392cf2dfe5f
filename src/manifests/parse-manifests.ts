import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { documentToJs } from "./yaml-document.js";
import { KUBE_YAML_OPTIONS } from "./yaml-options.js";

/** One decoded YAML/JSON document (or List item), the line it starts on, and where its fields are. */
export interface ManifestDocument {
  readonly value: unknown;
  readonly line: number;
  /** The line of a field path such as "spec.containers[1].ports[0]" (its nearest present ancestor). */
  readonly fieldLine: (field: string) => number;
  /** The template a `helm template` stream says the document came from (its "# Source: chart/templates/x.yaml" line). */
  readonly helmSource?: string;
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

/** One thing read from an input: a document, or a place that could not be read. */
export type ManifestItem = { readonly document: ManifestDocument; readonly error?: undefined } | { readonly error: ManifestError; readonly document?: undefined };

/** Parses multi-document YAML or JSON, unwrapping `kind: List` and `*List` wrappers; a bad document does not hide the others. */
export function parseManifests(text: string): ParsedManifests {
  const documents: ManifestDocument[] = [];
  const errors: ManifestError[] = [];
  for (const item of manifestItems(text)) {
    if (item.document) documents.push(item.document);
    else errors.push(item.error);
  }
  return { documents, errors };
}

/**
 * The same, one item at a time: a caller that keeps only what it needs of each document lets the
 * document's syntax tree go before the next is parsed (2,000 ConfigMaps of 100 KB held 4.5 GB when
 * every document's tree lived until the file was done).
 */
export function* manifestItems(text: string): Generator<ManifestItem> {
  // kubectl reads a stream that starts with "{" as JSON, value after value (newline-delimited JSON included).
  const values = jsonValueStarts(text);
  yield* parts(text, values !== undefined && values.length > 1 ? values : documentStarts(text), values !== undefined && values.length > 1);
}

/**
 * One document's text at most: the API server takes request bodies of 3 MiB, so nothing larger can be
 * applied; a bigger document is a problem naming its line, and is never parsed (a 200 MB ConfigMap
 * took `check` to 4.3 GB and an abort).
 */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

/**
 * Parses a stream part by part, so only one part's syntax tree exists at a time, each item's lines
 * counted from the start of the whole text. YAML parts end where a line starts with "---" or "..."
 * (which always ends a YAML document, even inside a block scalar); JSON parts are the values of a
 * concatenated stream.
 */
function* parts(text: string, starts: readonly number[], json: boolean): Generator<ManifestItem> {
  let base = 0;
  let counted = 0;
  for (const [index, start] of starts.entries()) {
    // Lines before this part: counted on from the previous part's start, so the whole scan is linear.
    for (; counted < start; counted += 1) if (text.charCodeAt(counted) === 10) base += 1;
    const end = starts[index + 1] ?? text.length;
    const before = base;
    if (!json && end - start > MAX_DOCUMENT_BYTES) {
      yield { error: { line: before + 1, message: `document of ${(end - start).toLocaleString("en-US")} bytes is larger than any API server accepts (3 MiB request bodies): not checked` } };
      continue;
    }
    for (const item of yamlItems(text.slice(start, end))) {
      if (item.document) {
        const doc = item.document;
        yield { document: before === 0 ? doc : { ...doc, line: doc.line + before, fieldLine: (field) => doc.fieldLine(field) + before } };
      } else yield { error: { line: item.error.line + before, message: shiftLines(item.error.message, before) } };
    }
  }
}

/** Offsets where documents begin: 0, then each line starting with "---" (or following "..."), with any "%" directive lines before it. */
function documentStarts(text: string): number[] {
  const starts = [0];
  const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  for (let match = marker.exec(text); match !== null; match = marker.exec(text)) {
    let at = match[0] === "..." ? text.indexOf("\n", match.index) + 1 || text.length : match.index;
    // Directives belong to the document after them: move the split above them.
    while (at > 0) {
      const lineStart = text.lastIndexOf("\n", at - 2) + 1;
      if (text[lineStart] !== "%") break;
      at = lineStart;
    }
    if (at > (starts.at(-1) ?? 0)) starts.push(at);
  }
  return starts;
}

/** The parser's own "at line N, column M" counted from the whole file, not from the part it was given. */
function shiftLines(message: string, offset: number): string {
  return offset === 0 ? message : message.replace(/\bat line (\d+), column (\d+)/g, (_all, line: string, column: string) => `at line ${String(Number(line) + offset)}, column ${column}`);
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

/** helm template writes "# Source: <chart>/templates/<file>" above each document. */
const HELM_SOURCE = /^ ?Source: (\S(?:.*\S)?)\s*$/m;

/** A parser error repeated for every level of an unclosed deep collection is listed this many times at most. */
const ERRORS_PER_DOCUMENT = 5;

function* yamlItems(text: string): Generator<ManifestItem> {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  for (const doc of parseAllDocuments(text, { ...KUBE_YAML_OPTIONS, lineCounter })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors.slice(0, ERRORS_PER_DOCUMENT)) yield { error: { line: error.linePos?.[0].line ?? lineOf(error.pos[0]), message: yamlErrorText(error.message) } };
      const more = doc.errors.length - ERRORS_PER_DOCUMENT;
      if (more > 0) yield { error: { line: lineOf(doc.errors[ERRORS_PER_DOCUMENT]?.pos[0]), message: `and ${String(more)} more YAML errors in this document (fix the first ones: the rest usually follow from them)` } };
      continue;
    }
    const contents = doc.contents;
    if (contents === null) continue; // an empty document, as helm emits between templates
    const read = documentToJs(doc, { mergeKeys: true });
    if (!read.ok) {
      yield { error: { line: lineOf(read.offset ?? contents.range?.[0]), message: read.error } };
      continue;
    }
    const value = read.value;
    if (value === null || value === undefined) continue;
    const items = listItems(value, contents);
    // The comment sits above the first key: the yaml library keeps it on the document or on its contents.
    const helmSource = HELM_SOURCE.exec(`${doc.commentBefore ?? ""}\n${contents.commentBefore ?? ""}`)?.[1];
    const document = (item: unknown, node: Node | undefined): ManifestDocument => {
      const line = lineOf(node?.range?.[0] ?? contents.range?.[0]);
      return { value: item, line, fieldLine: (field) => fieldLineIn(node, field, lineCounter) ?? line, ...(helmSource ? { helmSource } : {}) };
    };
    if (items === undefined) yield { document: document(value, contents) };
    else for (const [index, item] of items.values.entries()) yield { document: document(item, items.nodes[index]) };
  }
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
