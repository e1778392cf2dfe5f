import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { tempDir } from "../support/temp-dir.js";
import { parseAllDocuments } from "yaml";

/** Whether kubectl (with built-in kustomize) is on this machine. */
export function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Renders a kustomization with `kubectl kustomize` and returns the text and the objects. */
export function kustomize(dir: string): { text: string; objects: unknown[] } {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  return { text, objects: parseAllDocuments(text).map((doc) => doc.toJS() as unknown) };
}

/** The value at a dotted path ("spec.template.spec.containers.0.args"), or undefined. */
export function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split(".")) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (node !== null && typeof node === "object") node = (node as Record<string, unknown>)[key];
    else return undefined;
  }
  return node;
}

/** The list at a path ([] when absent). */
export function list(value: unknown, path: string): unknown[] {
  const found = at(value, path);
  return Array.isArray(found) ? found : [];
}

/** The one object of a kind (and optional name suffix), failing loudly when absent or ambiguous. */
export function one(objects: readonly unknown[], kind: string, nameEndsWith = ""): unknown {
  const found = objects.filter((o) => at(o, "kind") === kind && String(at(o, "metadata.name")).endsWith(nameEndsWith));
  if (found.length !== 1) throw new Error(`expected one ${kind} *${nameEndsWith}, found ${String(found.length)}`);
  return found[0];
}

/** The entry of a list whose `name` field is `name`. */
export function named(value: unknown, path: string, name: string): unknown {
  return list(value, path).find((entry) => at(entry, "name") === name);
}

/** Renders a base with components added, as a user's overlay would (paths absolute). */
export function kustomizeWith(base: string, components: readonly string[]): { text: string; objects: unknown[] } {
  const dir = join(tempDir("netguard-overlay-"), "overlay");
  mkdirSync(dir);
  writeFileSync(join(dir, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(dir, base)}\ncomponents:\n${components.map((c) => `  - ${relative(dir, c)}`).join("\n")}\n`);
  return kustomize(dir);
}
