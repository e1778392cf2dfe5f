import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { formatRulesMarkdown } from "../src/cli/rules-command.js";

it("the README's rules table is the registry's", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const table = /<!-- rules:start[^>]*-->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme)?.[1];
  expect(table).toBe(formatRulesMarkdown());
});
