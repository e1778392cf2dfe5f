import { posix } from "node:path";
import { parse } from "yaml";
import { asObject, asString } from "../kube/fields.js";
import type { KubeObject, SourceRef } from "../kube/object.js";
import { manifestItems, type ManifestDocument } from "./parse-manifests.js";

/** kustomize's record of where a resource came from (`buildMetadata: [originAnnotations]`). */
export const KUSTOMIZE_ORIGIN_ANNOTATION = "config.kubernetes.io/origin";

/** How rendered input maps back to repository files. */
export interface OriginOptions {
  /** The directory helm's "# Source:" paths and kustomize's origin paths are relative to (the chart's parent, the kustomization's directory). */
  readonly sourceRoot: string;
  /** Reads a repository file, to find the line of a kustomize origin; undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
  /**
   * Why a path the input names lies outside what check may open (absolute, `..` past the boundary, a link
   * pointing out); undefined when it is inside. The input is a pull request's render: it never decides
   * which files the job opens or where an alert points.
   */
  readonly outside: (path: string) => string | undefined;
}

/** Where an object's findings point, and why a path its input named was refused (it points at the input then). */
export interface Origin {
  readonly source: SourceRef & { readonly fieldLine: (field: string) => number };
  readonly refused?: { readonly file: string; readonly why: string };
}

/**
 * Where an object's findings should point: the file kustomize's origin annotation names (and the
 * line of the object in it, when the file holds it), or the template helm's "# Source:" names (lines
 * counted from the document's first line, so approximate), or the input itself.
 */
export function originOf(
  object: KubeObject,
  document: ManifestDocument,
  input: SourceRef & { readonly fieldLine: (field: string) => number },
  options: OriginOptions | undefined,
  files: OriginFiles,
): Origin {
  if (options === undefined) return { source: input };
  const origin = kustomizeOrigin(object.annotations[KUSTOMIZE_ORIGIN_ANNOTATION]);
  if (origin !== undefined) {
    const file = posix.normalize(posix.join(options.sourceRoot, origin));
    const why = refusal(origin, file, options);
    if (why !== undefined) return { source: input, refused: { file: origin, why } };
    let documents = files.get(file);
    // Each origin file is read and parsed once, however many objects came from it.
    if (documents === undefined) files.set(file, (documents = originDocuments(options.readFile(file))));
    const found = findObject(documents, object);
    return { source: found ? { file, line: found.line, fieldLine: found.fieldLine } : { file, line: 0, fieldLine: () => 0 } };
  }
  if (document.helmSource !== undefined) {
    const file = posix.normalize(posix.join(options.sourceRoot, document.helmSource));
    const why = refusal(document.helmSource, file, options);
    if (why !== undefined) return { source: input, refused: { file: document.helmSource, why } };
    const shift = document.line - 1;
    return { source: { file, line: 1, fieldLine: (field) => Math.max(1, document.fieldLine(field) - shift) } };
  }
  return { source: input };
}

/** A path the input names is relative to the source root: an absolute one is refused, as is one that leads out. */
function refusal(named: string, file: string, options: OriginOptions): string | undefined {
  return posix.isAbsolute(named) ? "it is an absolute path (paths from the input are taken relative to the source root only)" : options.outside(file);
}

/** The local path of an origin annotation; undefined for a remote one (repo/ref) or one that is not an origin. */
function kustomizeOrigin(annotation: string | undefined): string | undefined {
  if (annotation === undefined) return undefined;
  let value: unknown;
  try {
    value = parse(annotation, { maxAliasCount: 0 });
  } catch {
    return undefined;
  }
  const origin = asObject(value);
  if (origin === undefined || origin["repo"] !== undefined) return undefined;
  return asString(origin["path"]);
}

/** An origin file's documents by kind and name, parsed once per check run (the collector keeps them). */
export type OriginFiles = Map<string, readonly OriginDocument[]>;

interface OriginDocument {
  readonly kind: unknown;
  readonly name: string | undefined;
  readonly document: ManifestDocument;
}

function originDocuments(text: string | undefined): OriginDocument[] {
  const documents: OriginDocument[] = [];
  for (const item of manifestItems(text ?? "")) {
    if (item.document === undefined) continue;
    const value = asObject(item.document.value);
    documents.push({ kind: value?.["kind"], name: asString(asObject(value?.["metadata"])?.["name"]), document: item.document });
  }
  return documents;
}

/** The object's document in its origin file: same kind, and a name its rendered name contains (namePrefix, nameSuffix). */
function findObject(documents: readonly OriginDocument[], object: KubeObject): ManifestDocument | undefined {
  return documents.find((d) => d.kind === object.ref.kind && d.name !== undefined && object.ref.name.includes(d.name))?.document;
}
