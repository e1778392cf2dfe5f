import type { Report } from "../engine/types.js";
import type { ObjectRef, SourceRef } from "../kube/object.js";

/** What a renderer gets: the report and every object that was checked (JUnit lists passes too). */
export interface RenderInput {
  readonly report: Report;
  readonly checked: readonly { readonly ref: ObjectRef; readonly source?: SourceRef | undefined }[];
  readonly version: string;
}

/** "file:line" for a source, or "" when the object came from a cluster. */
export function showSource(source: SourceRef | undefined): string {
  if (source === undefined) return "";
  return source.line > 0 ? `${source.file}:${String(source.line)}` : source.file;
}
