import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env["CI"] ? ["default", ["json", { outputFile: "dist/test-results.json" }]] : ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          testTimeout: 20_000,
          hookTimeout: 20_000,
          // Temp directories live under one per-run directory, removed at the end (workers are killed, not exited).
          globalSetup: ["test/global-setup.ts", "test/tools-setup.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The e2e setup finds or builds the control-plane binaries once, before any worker starts.
          globalSetup: ["test/global-setup.ts", "test/tools-setup.ts", "test/e2e/support/global-setup.ts"],
          // After the unit tests (whose load and shutdown tests must not share the cores with a control
          // plane), and one file at a time: each file runs its own etcd, kube-apiserver and controllers.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
    ],
  },
});
