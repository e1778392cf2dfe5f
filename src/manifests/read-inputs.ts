import { STDIN } from "../kube/object.js";
import type { Dirent, Stats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** One input's text and the name used in messages ("-" reads as "<stdin>"). */
export interface InputText {
  readonly file: string;
  readonly text: string;
}

/** An input that could not be read at all. */
export interface InputError {
  readonly file: string;
  readonly message: string;
}

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

/** The file system calls the walk makes: passed in, so tests can make a directory unreadable. */
export interface InputFs {
  readonly readdir: (path: string) => Promise<Dirent[]>;
  readonly stat: (path: string) => Promise<Stats>;
  readonly readFile: (path: string) => Promise<Buffer>;
}

const NODE_FS: InputFs = {
  readdir: (path) => readdir(path, { withFileTypes: true }),
  stat: (path) => stat(path),
  readFile: (path) => readFile(path),
};

/** One thing the walk found: a file's text, or an entry that could not be read. */
export type InputItem = { readonly input: InputText; readonly error?: undefined } | { readonly error: InputError; readonly input?: undefined };

/**
 * Reads files, directories (recursively, manifest extensions only, in name order) and "-" for stdin,
 * one file at a time: a caller that is done with a file's text before asking for the next never
 * holds two. A named path is read whatever it is (`check <(helm template ...)` is a pipe); inside a
 * directory only regular files and links to them are, as kubectl reads them. Every entry that cannot
 * be read is an error naming its own path, and the walk goes on.
 */
export async function* inputItems(paths: readonly string[], readStdin: () => Promise<string>, fs: InputFs = NODE_FS): AsyncGenerator<InputItem> {
  const read = async (file: string): Promise<InputItem> => {
    try {
      return { input: { file, text: decodeText(await fs.readFile(file)) } };
    } catch (error) {
      return { error: { file, message: describeFsError(error) } };
    }
  };
  for (const path of paths) {
    if (path === "-") {
      yield { input: { file: STDIN, text: await readStdin() } };
      continue;
    }
    let info: Stats;
    try {
      info = await fs.stat(path);
    } catch (error) {
      yield { error: { file: path, message: describeFsError(error) } };
      continue;
    }
    if (!info.isDirectory()) {
      yield await read(path);
      continue;
    }
    const errors: InputError[] = [];
    const found = await walk(path, fs, errors);
    for (const error of errors) yield { error };
    if (found.length === 0 && errors.length === 0) yield { error: { file: path, message: "directory holds no .yaml, .yml or .json files" } };
    for (const file of found) yield await read(file);
  }
}

/** Every input at once (for callers that want them all; check streams them with inputItems). */
export async function readInputs(paths: readonly string[], readStdin: () => Promise<string>, fs: InputFs = NODE_FS): Promise<{ inputs: InputText[]; errors: InputError[] }> {
  const inputs: InputText[] = [];
  const errors: InputError[] = [];
  for await (const item of inputItems(paths, readStdin, fs)) {
    if (item.error) errors.push(item.error);
    else inputs.push(item.input);
  }
  return { inputs, errors };
}

async function walk(directory: string, fs: InputFs, errors: InputError[]): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(directory);
  } catch (error) {
    errors.push({ file: directory, message: `cannot list this directory: ${describeFsError(error)}` });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const manifest = MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext));
    if (entry.isDirectory()) files.push(...(await walk(path, fs, errors)));
    else if (entry.isFile()) {
      if (manifest) files.push(path);
    } else if (entry.isSymbolicLink()) {
      const target = await linkTarget(path, fs);
      if (target === "file" && manifest) files.push(path);
      else if (target === "dangling" && manifest) errors.push({ file: path, message: "symbolic link to a file that does not exist" });
      else if (target === "directory") errors.push({ file: path, message: "symbolic link to a directory: not followed (kubectl does not follow it either); name the directory itself to check it" });
      else if (target === "other" && manifest) errors.push({ file: path, message: "symbolic link to something that is not a regular file (a pipe or device): not read" });
    } else if (manifest) {
      // A FIFO would block the walk forever; a socket or device is not a manifest.
      errors.push({ file: path, message: "not a regular file (a pipe, socket or device): not read" });
    }
  }
  return files;
}

async function linkTarget(path: string, fs: InputFs): Promise<"file" | "directory" | "dangling" | "other"> {
  try {
    const info = await fs.stat(path);
    return info.isFile() ? "file" : info.isDirectory() ? "directory" : "other";
  } catch {
    return "dangling";
  }
}

/** "no such file or directory" rather than a stack trace. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && "code" in error) {
    const code = String(error.code);
    if (code === "ENOENT") return "no such file or directory";
    if (code === "EACCES") return "permission denied";
    if (code === "EISDIR") return "is a directory";
  }
  return error instanceof Error ? error.message : String(error);
}

/** Reads all of stdin as UTF-8. */
export async function readAllStdin(stream: AsyncIterable<unknown> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk)));
  return decodeText(Buffer.concat(chunks));
}

/**
 * Bytes as kubectl reads them: UTF-8, or UTF-16 in either byte order when a byte-order mark says so
 * (cli-runtime's file visitor decodes through unicode.BOMOverride); a UTF-8 BOM is dropped.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    swapped.swap16();
    return swapped.toString("utf16le");
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString("utf8");
  return bytes.toString("utf8");
}

