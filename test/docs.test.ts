import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse } from "yaml";
import { formatRulesMarkdown } from "../src/cli/rules-command.js";
import { formatPolicyErrors, parsePolicyText } from "../src/policy/parse-policy-text.js";
import { BUILTIN_RULES } from "../src/rules/index.js";
import { docBlocks, isPolicyBlock, ROOT, userDocs } from "./support/doc-blocks.js";
import { startTestWebhook } from "./support/webhook-harness.js";

const SCHEMA = JSON.parse(readFileSync(join(ROOT, "schema", "policy.schema.json"), "utf8")) as { properties: { rules: { properties: object }; exemptions: { items: { properties: { rules: { items: { enum: string[] } } } } } } };
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(SCHEMA);

const yamlBlocks = docBlocks().filter((block) => block.lang === "yaml" || block.lang === "yml");
const topLevelKeys = (text: string): string[] => {
  const value: unknown = parse(text);
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
};
const policyBlocks = yamlBlocks.filter((block) => isPolicyBlock(block, topLevelKeys(block.text)));

describe("the README and docs/ pages", () => {
  it("the rules table, wherever it appears, is the registry's (README and docs/rules.md)", () => {
    const tables = userDocs().flatMap(({ name, text }) => [...text.matchAll(/<!-- rules:start[^>]*-->\n([\s\S]*?)\n<!-- rules:end -->/g)].map((match) => [name, match[1]]));
    expect(tables.map(([name]) => name)).toEqual(["README.md", "docs/rules.md"]);
    for (const [, table] of tables) expect(table).toBe(formatRulesMarkdown());
  });

  it("the quick start's answer is what the webhook, with no cluster, answers for examples/admission-review-pod.json", async () => {
    const h = await startTestWebhook();
    try {
      const answer = await h.post(readFileSync(join(ROOT, "examples", "admission-review-pod.json"), "utf8"));
      expect(answer.status).toBe(200);
      const shown = docBlocks().filter((block) => block.page === "README.md" && block.lang === "json" && block.text.startsWith('{"apiVersion":"admission.k8s.io/v1"'));
      expect(shown.map((block) => block.text)).toEqual([`${answer.text}\n`]);
    } finally {
      await h.stop();
    }
  });

  it("the README's check example is what the built netguard check prints for examples/manifests, exit 1", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "dist", "src", "main.js"), "check", "examples/manifests"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(run.status).toBe(1);
    const shown = docBlocks().filter((block) => block.page === "README.md" && block.text.startsWith("examples/manifests/"));
    expect(shown.map((block) => block.text)).toEqual([run.stdout]);
  });

  it("finds the policy blocks it runs below (the README's first example and the policy page's)", () => {
    expect(policyBlocks.filter((block) => block.page === "README.md").length).toBeGreaterThanOrEqual(1);
    expect(policyBlocks.filter((block) => block.page === "docs/policy.md").length).toBeGreaterThanOrEqual(3);
  });

  it.each(policyBlocks.map((block) => [`${block.page}:${String(block.line)}`, block.text]))("policy block %s: the parser reads it and the schema accepts it", (_where, text) => {
    const parsed = parsePolicyText(text);
    expect(parsed.ok ? "ok" : formatPolicyErrors("policy", parsed.errors)).toBe("ok");
    expect(validate(parse(text, { version: "1.2" }) as unknown) ? [] : validate.errors).toEqual([]);
  });

  it.each(yamlBlocks.map((block) => [`${block.page}:${String(block.line)}`, block.text]))("YAML block %s is valid YAML", (_where, text) => {
    expect(parseAllDocuments(text).flatMap((document) => document.errors.map((error) => error.message))).toEqual([]);
  });

  it("every relative link points at a file that exists, and every #anchor at a heading of its page", () => {
    const broken: string[] = [];
    for (const { name, text } of userDocs()) {
      const prose = text.replace(/```[\s\S]*?```/g, "");
      for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? "";
        if (/^[a-z]+:/.test(target)) continue;
        const [path = "", anchor] = target.split("#");
        const file = path === "" ? join(ROOT, name) : join(ROOT, dirname(name), path);
        if (!existsSync(file)) broken.push(`${name}: ${target} (no such file)`);
        else if (anchor !== undefined && file.endsWith(".md") && !headingSlugs(readFileSync(file, "utf8")).has(anchor)) broken.push(`${name}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the schema names exactly the registry's rule ids", () => {
    const ids = BUILTIN_RULES.map((rule) => rule.id);
    expect(Object.keys(SCHEMA.properties.rules.properties)).toEqual(ids);
    expect(SCHEMA.properties.exemptions.items.properties.rules.items.enum).toEqual(ids);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  for (const match of text.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    slugs.add((match[1] ?? "").toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/ /g, "-"));
  }
  return slugs;
}
