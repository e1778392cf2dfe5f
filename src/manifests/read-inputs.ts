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

/** Reads files, directories (recursively, manifest extensions only, in name order) and "-" for stdin. */
export async function readInputs(
  paths: readonly string[],
  readStdin: () => Promise<string>,
): Promise<{ inputs: InputText[]; errors: InputError[] }> {
  const inputs: InputText[] = [];
  const errors: InputError[] = [];
  for (const path of paths) {
    if (path === "-") {
      inputs.push({ file: "<stdin>", text: await readStdin() });
      continue;
    }
    try {
      const info = await stat(path);
      const files = info.isDirectory() ? await listManifests(path) : [path];
      if (info.isDirectory() && files.length === 0) errors.push({ file: path, message: "directory holds no .yaml, .yml or .json files" });
      for (const file of files) inputs.push({ file, text: await readFile(file, "utf8") });
    } catch (error) {
      errors.push({ file: path, message: describeFsError(error) });
    }
  }
  return { inputs, errors };
}

async function listManifests(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listManifests(path)));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(path);
  }
  return files;
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
  return Buffer.concat(chunks).toString("utf8");
}
