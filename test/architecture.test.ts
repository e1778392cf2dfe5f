import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "src");
/** The pure core: rules, engine, the Kubernetes object model, the policy, the renderers, the CEL generator and the policy suggestions. */
const CORE = ["kube", "engine", "rules", "policy", "report", "vap", "audit", "suggest"];
/**
 * What the core may not reach: I/O, the network, the server and logging libraries, and the shells
 * (src/manifests' YAML parsing is pure and shared with the policy parser; its file reading is not).
 */
const FORBIDDEN = [
  /^node:(fs|net|http|https|child_process|tls|dgram)/,
  /^(express|pino|prom-client|@kubernetes\/client-node)/,
  /^\.\.?\/.*\b(cli|webhook|cluster|certificates)\//,
  /\/manifests\/(read-inputs|collect-objects)\.js$/,
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every import specifier of a file, type-only ones included. */
function imports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].flatMap((match) => (match[1] ? [match[1]] : []));
}

describe("the source's rooms", () => {
  const files = sources(SRC);

  it("no two modules import each other, directly or around a loop", () => {
    const edges = new Map(files.map((file) => [file, imports(file).filter((spec) => spec.startsWith(".")).map((spec) => resolve(dirname(file), spec).replace(/\.js$/, ".ts"))]));
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, stack: string[]): void => {
      state.set(file, "open");
      stack.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === "open") cycles.push(stack.slice(stack.indexOf(next)).map((f) => relative(SRC, f)).join(" -> "));
        else if (state.get(next) === undefined) visit(next, stack);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (state.get(file) === undefined) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("the core reaches no file system, network, server, logger or shell", () => {
    const reached = files
      .filter((file) => CORE.includes(relative(SRC, file).split("/")[0] ?? ""))
      .flatMap((file) => imports(file).filter((spec) => FORBIDDEN.some((pattern) => pattern.test(spec))).map((spec) => `${relative(SRC, file)}: ${spec}`));
    expect(reached).toEqual([]);
  });
});
