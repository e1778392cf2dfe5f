import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { imageNodeFlags } from "../support/image.js";
import { tempDir } from "../support/temp-dir.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** Sets the mode of every file and directory under a path (read-only like readOnlyRootFilesystem, or back). */
function setModes(path: string, dirMode: number, fileMode: number): void {
  const info = statSync(path);
  if (info.isDirectory()) {
    if (dirMode & 0o200) chmodSync(path, dirMode);
    for (const entry of readdirSync(path)) setModes(join(path, entry), dirMode, fileMode);
    chmodSync(path, dirMode);
  } else {
    chmodSync(path, fileMode);
  }
}

/** No Docker engine here: rebuild the runtime stage in a directory, exactly as the Dockerfile says, and run it. */
describe("the container image's runtime stage", () => {
  it("runs node with the same flags as npm start", () => {
    const flags = imageNodeFlags(dockerfile);
    expect(flags).toEqual(["--max-semi-space-size=8"]);
    const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start"];
    expect(start).toContain(`node ${flags.join(" ")} dist/src/main.js serve`);
  });

  it("is what this test reproduces", () => {
    expect(dockerfile).toContain("FROM node:24-bookworm-slim AS build");
    expect(dockerfile).toContain("RUN npm ci --omit=dev --ignore-scripts");
    expect(dockerfile).toContain("FROM gcr.io/distroless/nodejs24-debian12:nonroot");
    expect(dockerfile).toContain("COPY --from=deps /app/node_modules ./node_modules");
    expect(dockerfile).toContain("COPY --from=build /src/dist/src ./dist/src");
    expect(dockerfile).toContain("COPY package.json ./");
    expect(dockerfile).toMatch(/^USER \d+:\d+$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "/app/dist/src/main.js"]');
    expect(dockerfile).toMatch(/^CMD \["serve",/m);
  });

  it("runs netguard --help and a check with production dependencies only, from a read-only tree", { timeout: 180_000 }, () => {
    const app = tempDir("netguard-image-");
    cpSync(join(ROOT, "package.json"), join(app, "package.json"));
    cpSync(join(ROOT, "package-lock.json"), join(app, "package-lock.json"));
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe" });
    cpSync(join(ROOT, "dist", "src"), join(app, "dist", "src"), { recursive: true });
    const installed = readdirSync(join(app, "node_modules"));
    for (const dev of ["vitest", "typescript", "eslint", "node", "fast-check"]) expect(installed).not.toContain(dev);
    cpSync(join(ROOT, "test", "fixtures", "check", "clean.yaml"), join(app, "clean.yaml"));
    setModes(app, 0o555, 0o444);
    const run = (args: string[]) => execFileSync(process.execPath, [...imageNodeFlags(dockerfile), join(app, "dist", "src", "main.js"), ...args], { cwd: app, encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
    expect(run(["--help"])).toContain("netguard serve");
    expect(run(["check", "clean.yaml"])).toBe("2 objects checked: 0 deny, 0 warn, 0 audit, 0 waived, 0 problems\n");
    try {
      expect(run(["serve", "--help"])).toContain("--cert-dir DIR");
    } finally {
      setModes(app, 0o755, 0o644);
      rmSync(app, { recursive: true, force: true });
    }
  });
});
