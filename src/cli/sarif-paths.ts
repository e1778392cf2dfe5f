import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { SarifArtifacts } from "../report/render-input.js";

/** The base id code scanning resolves against the checkout. */
export const SRCROOT = "%SRCROOT%";

/**
 * Files under the working directory as repository-relative URIs with %SRCROOT% (what code scanning
 * matches against the checkout); anything outside it as an absolute file: URI.
 */
export function sarifArtifacts(cwd: string): SarifArtifacts {
  const root = pathToFileURL(cwd).href;
  return {
    rootUri: root.endsWith("/") ? root : `${root}/`,
    locate: (file) => {
      const absolute = isAbsolute(file) ? file : resolve(cwd, file);
      const inside = relative(cwd, absolute);
      if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)) return { uri: inside.split(sep).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
      return { uri: pathToFileURL(absolute).href };
    },
  };
}
