import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { formatRulesMarkdown } from "../src/cli/rules-command.js";
import { formatPolicyErrors, parsePolicyText } from "../src/policy/parse-policy-text.js";

it("the README's rules table is the registry's", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const table = /<!-- rules:start[^>]*-->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme)?.[1];
  expect(table).toBe(formatRulesMarkdown());
});

it("every policy in the README's policy section, examples/policy.yaml and the shipped policy parse", () => {
  const root = join(import.meta.dirname, "..");
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## The policy file"), readme.indexOf("## `netguard serve`"));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  for (const text of [...blocks, readFileSync(join(root, "examples", "policy.yaml"), "utf8"), readFileSync(join(root, "config", "policy", "policy.yaml"), "utf8")]) {
    const parsed = parsePolicyText(text);
    expect(parsed.ok ? "ok" : formatPolicyErrors("policy", parsed.errors)).toBe("ok");
  }
});
