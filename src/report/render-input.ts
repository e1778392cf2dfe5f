import type { Report } from "../engine/types.js";
import type { ObjectRef, SourceRef } from "../kube/object.js";
import type { Policy } from "../policy/policy.js";

/** What a renderer gets: the report and every object that was checked (JUnit lists passes too). */
export interface RenderInput {
  readonly report: Report;
  readonly checked: readonly { readonly ref: ObjectRef; readonly source?: SourceRef | undefined }[];
  readonly version: string;
  /** The policy in force: SARIF states each rule's configured level. */
  readonly policy?: Policy;
  /** How SARIF names files: the checkout's root and a file's URI under it (the shell knows the file system). */
  readonly artifacts?: SarifArtifacts;
}

/** A file as SARIF's artifactLocation names it: relative to %SRCROOT%, or an absolute file: URI. */
export interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: string;
}

/** The working directory as a file: URI, and where each file lies relative to it. */
export interface SarifArtifacts {
  readonly rootUri: string;
  readonly locate: (file: string) => ArtifactLocation;
}

/** "file:line" for a source, or "" when the object came from a cluster. */
export function showSource(source: SourceRef | undefined): string {
  if (source === undefined) return "";
  return source.line > 0 ? `${source.file}:${String(source.line)}` : source.file;
}
