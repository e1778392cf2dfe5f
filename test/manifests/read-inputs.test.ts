import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeText, readInputs, type InputFs } from "../../src/manifests/read-inputs.js";
import { tempDir } from "../support/temp-dir.js";

const noStdin = () => Promise.resolve("");

function tree(): string {
  const root = tempDir("netguard-walk-");
  const outside = tempDir("netguard-walk-target-");
  writeFileSync(join(outside, "target.yaml"), "kind: Pod\n");
  mkdirSync(join(outside, "dir"));
  writeFileSync(join(root, "a.yaml"), "kind: A\n");
  symlinkSync(join(outside, "target.yaml"), join(root, "linked.yaml"));
  symlinkSync(join(outside, "missing.yaml"), join(root, "dangling.yaml"));
  symlinkSync(join(outside, "dir"), join(root, "linked-dir"));
  execFileSync("mkfifo", [join(root, "pipe.yaml")]);
  writeFileSync(join(root, "notes.txt"), "not a manifest\n");
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "sub", "b.yml"), "kind: B\n");
  return root;
}

describe("readInputs over a directory", () => {
  it("reads regular files and links to them, and names every entry it cannot read (dangling link, pipe, linked directory)", async () => {
    const root = tree();
    const { inputs, errors } = await readInputs([root], noStdin);
    expect(inputs.map((input) => [input.file.slice(root.length + 1), input.text])).toEqual([
      ["a.yaml", "kind: A\n"],
      ["linked.yaml", "kind: Pod\n"],
      ["sub/b.yml", "kind: B\n"],
    ]);
    expect(errors.map((error) => [error.file.slice(root.length + 1), error.message])).toEqual([
      ["dangling.yaml", "symbolic link to a file that does not exist"],
      ["linked-dir", "symbolic link to a directory: not followed (kubectl does not follow it either); name the directory itself to check it"],
      ["pipe.yaml", "not a regular file (a pipe, socket or device): not read"],
    ]);
  });

  it("an unreadable subdirectory or file is an error naming its own path; the rest of the walk goes on", async () => {
    const root = tree();
    mkdirSync(join(root, "locked"));
    writeFileSync(join(root, "locked", "c.yaml"), "kind: C\n");
    writeFileSync(join(root, "z.yaml"), "kind: Z\n");
    const denied = (path: string): Error => Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
    // Tests run as root, which reads everything: the refusals are the file system's, injected.
    const fs: InputFs = {
      readdir: (path) => (path.endsWith("locked") ? Promise.reject(denied(path)) : readdir(path, { withFileTypes: true })),
      stat: (path) => stat(path),
      readFile: (path) => (path.endsWith("a.yaml") ? Promise.reject(denied(path)) : readFile(path)),
    };
    const { inputs, errors } = await readInputs([root], noStdin, fs);
    expect(inputs.map((input) => input.file.slice(root.length + 1))).toEqual(["linked.yaml", "sub/b.yml", "z.yaml"]);
    expect(errors.map((error) => [error.file.slice(root.length + 1), error.message])).toEqual([
      ["dangling.yaml", "symbolic link to a file that does not exist"],
      ["linked-dir", "symbolic link to a directory: not followed (kubectl does not follow it either); name the directory itself to check it"],
      ["locked", "cannot list this directory: permission denied"],
      ["pipe.yaml", "not a regular file (a pipe, socket or device): not read"],
      ["a.yaml", "permission denied"],
    ]);
  });

  it("a named pipe given by name is read, as `check <(helm template ...)` needs", async () => {
    const root = tempDir("netguard-fifo-");
    const fifo = join(root, "stream");
    execFileSync("mkfifo", [fifo]);
    const writer = (async () => {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(fifo, "kind: Pod\n");
    })();
    const { inputs, errors } = await readInputs([fifo], noStdin);
    await writer;
    expect(errors).toEqual([]);
    expect(inputs).toEqual([{ file: fifo, text: "kind: Pod\n" }]);
  });
});

describe("decodeText", () => {
  const text = "kind: Pod # é\n";
  it.each([
    ["UTF-8", Buffer.from(text, "utf8")],
    ["UTF-8 with a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")])],
    ["UTF-16LE with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    ["UTF-16BE with a BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])],
  ])("reads %s as kubectl does", (_name, bytes) => {
    expect(decodeText(bytes)).toBe(text);
  });
});

