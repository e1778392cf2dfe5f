// @ts-check
import tseslint from "typescript-eslint";

const CORE = ["src/engine/**", "src/rules/**", "src/kube/**", "src/policy/**", "src/report/**", "src/audit/**"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "eslint.config.js"] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unnecessary-condition": "off",
      "max-params": ["error", 5],
      // Style only; void-returning shorthands are idiomatic for callbacks here.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Warning limits are counted in runes (code points), which is exactly what spreading a string gives.
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
  {
    // The core is pure: no HTTP, logging, file system or network; client-node only for types.
    files: CORE,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "express", message: "the core is pure: no HTTP" },
            { name: "pino", message: "the core is pure: logging belongs to the shells" },
            { name: "@kubernetes/client-node", message: "type imports only in the core", allowTypeImports: true },
          ],
          patterns: [
            { group: ["node:*", "fs", "http", "https", "net", "tls"], message: "the core is pure: no I/O modules" },
            { group: ["**/cli/**", "**/webhook/**", "**/cluster/**", "**/manifests/read-inputs*"], message: "the core must not import a front door" },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-type-assertion": "off",
    },
  },
);
