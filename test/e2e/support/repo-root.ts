import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The repository root: the nearest folder with a package.json, from the source tree or its build under dist/. */
export function repoRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
