import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The project root, from test/support. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The pages a user reads: the README and every page of docs/ (ADRs are records, not instructions). */
export function userDocs(): { readonly name: string; readonly text: string }[] {
  const pages = readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).sort();
  return [{ name: "README.md", text: readFileSync(join(ROOT, "README.md"), "utf8") }, ...pages.map((name) => ({ name: `docs/${name}`, text: readFileSync(join(ROOT, "docs", name), "utf8") }))];
}

/** One fenced code block: the page, its line, its info string and its text. */
export interface DocBlock {
  readonly page: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
}

/** Every fenced block of every user page, indented ones (inside list items) too. */
export function docBlocks(): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const { name, text } of userDocs()) {
    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index++) {
      const open = /^(\s*)```(\S*)/.exec(lines[index] ?? "");
      if (!open) continue;
      const indent = open[1]?.length ?? 0;
      const body: string[] = [];
      let end = index + 1;
      for (; end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? ""); end++) body.push((lines[end] ?? "").slice(indent));
      blocks.push({ page: name, line: index + 1, lang: open[2] ?? "", text: `${body.join("\n")}\n` });
      index = end;
    }
  }
  return blocks;
}

const POLICY_KEYS = new Set(["rules", "overrides", "exemptions", "annotationExemptions"]);

/** A YAML block is a policy file when its top-level keys are all policy keys (no apiVersion, no list). */
export function isPolicyBlock(block: DocBlock, topLevelKeys: readonly string[]): boolean {
  return (block.lang === "yaml" || block.lang === "yml") && topLevelKeys.length > 0 && topLevelKeys.every((key) => POLICY_KEYS.has(key));
}
