import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * The guard on paths a manifest names (kustomize origins, helm `# Source:`), joined to the source root:
 * why one lies outside the boundary, or undefined when check may open it. `..` past the boundary and
 * links that point out are refused, so a pull request's render never decides which files the CI job opens.
 */
export function pathsInside(boundary: string, cwd: string): (path: string) => string | undefined {
  const root = resolve(cwd, boundary);
  const realRoot = real(root) ?? root;
  const shown = relative(cwd, root) || ".";
  // Many objects name the same file: each path is resolved once per run.
  const answers = new Map<string, string | undefined>();
  const judge = (path: string): string | undefined => {
    const full = resolve(cwd, path);
    if (!within(root, full)) return `it is outside ${shown}`;
    const target = real(full);
    if (target !== undefined && !within(realRoot, target)) return `it is a link pointing outside ${shown}`;
    return undefined;
  };
  return (path) => {
    if (!answers.has(path)) answers.set(path, judge(path));
    return answers.get(path);
  };
}

/**
 * The boundary for `--source-root DIR`: the working directory (the checkout CI runs in) when DIR lies
 * inside it, since a kustomize overlay's origins name its bases with `..`; DIR itself otherwise.
 */
export function sourceBoundary(sourceRoot: string, cwd: string): string {
  return within(resolve(cwd), resolve(cwd, sourceRoot)) ? "." : sourceRoot;
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
