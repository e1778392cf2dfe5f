import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parsePolicyText } from "../../src/policy/parse-policy-text.js";
import { docBlocks } from "../support/doc-blocks.js";
import { OVERRIDE_AND_PORT_ERRORS, POLICY_ERRORS } from "./policy-error-cases.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SCHEMA = JSON.parse(readFileSync(join(ROOT, "schema", "policy.schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(SCHEMA);
/** Checks only the parser can make: a calendar date, a range's order, a selector's operator and values. */
const PARSER_ONLY = new Set(["a date that does not exist", "an inverted range"]);
const MODELINE = "# yaml-language-server: $schema=";

/** The example and the shipped policy (the docs' policy blocks are run by test/docs.test.ts). */
function shippedPolicies(): [string, string][] {
  return [["examples/policy.yaml", readFileSync(join(ROOT, "examples", "policy.yaml"), "utf8")], ["config/policy/policy.yaml", readFileSync(join(ROOT, "config", "policy", "policy.yaml"), "utf8")]];
}

describe("schema/policy.schema.json and the parser agree", () => {
  it.each(shippedPolicies())("%s: the parser reads it and the schema accepts it", (_name, text) => {
    expect(parsePolicyText(text).ok).toBe(true);
    expect(validate(parse(text, { version: "1.2" }) as unknown) ? [] : validate.errors).toEqual([]);
  });

  // YAML errors (bad syntax, an alias bomb, a duplicate key) come before either: they are not the schema's.
  it.each([...POLICY_ERRORS, ...OVERRIDE_AND_PORT_ERRORS].filter(([, , error]) => !error.includes(": (yaml): ")))("%s: the parser rejects it and so does the schema", (name, text) => {
    expect(parsePolicyText(text).ok).toBe(false);
    expect(validate(parse(text, { version: "1.2" }) as unknown)).toBe(PARSER_ONLY.has(name));
  });

  it("the shipped policies, the example and the docs' first policy blocks carry the modeline that points editors at the schema", () => {
    const firstPolicy = (page: string) => docBlocks().find((block) => block.page === page && block.text.startsWith("# yaml-language-server:"))?.text.split("\n")[0];
    expect(firstPolicy("README.md")).toBe(`${MODELINE}https://raw.githubusercontent.com/netguard/netguard/main/schema/policy.schema.json`);
    expect(firstPolicy("docs/policy.md")).toBe(`${MODELINE}https://raw.githubusercontent.com/netguard/netguard/main/schema/policy.schema.json`);
    expect(readFileSync(join(ROOT, "examples", "policy.yaml"), "utf8").split("\n")[0]).toBe(`${MODELINE}../schema/policy.schema.json`);
    // The shipped policy lands in a ConfigMap (and the chart's values): its modeline names the published schema.
    expect(readFileSync(join(ROOT, "config", "policy", "policy.yaml"), "utf8").split("\n")[0]).toBe(`${MODELINE}https://raw.githubusercontent.com/netguard/netguard/main/schema/policy.schema.json`);
  });

  it("every key the schema knows has a description", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      for (const [key, child] of Object.entries(properties ?? {})) {
        const described = typeof (child as { description?: unknown }).description === "string";
        if (!described && !path.includes("namespaceSelector")) missing.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
      for (const branch of (node as { oneOf?: unknown[] }).oneOf ?? []) walk(branch, path);
      walk((node as { items?: unknown }).items, `${path}[].`);
    };
    walk(SCHEMA, "");
    expect(missing).toEqual([]);
  });
});
