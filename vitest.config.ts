import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Temp directories live under one per-run directory, removed at the end (workers are killed, not exited).
    globalSetup: ["test/global-setup.ts"],
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: "dist/test-results.json" }]] : ["default"],
  },
});
