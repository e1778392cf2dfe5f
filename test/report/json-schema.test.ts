import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { runAudit } from "../../src/cli/audit.js";
import { AUDITED, NAMESPACES } from "../support/fake-kube-api.js";
import { startFakeCluster } from "../support/fake-cluster.js";
import { check, fakeIo } from "../cli/run-cli.js";

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "schema", "report.schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const errorsOf = (text: string): unknown => (validate(JSON.parse(text)) ? [] : validate.errors);

describe("schema/report.schema.json describes the JSON netguard prints", () => {
  it.each([
    ["findings with sources and an exemption file", ["test/fixtures/check/app.yaml", "test/fixtures/check/clean.yaml"]],
    ["overrides applied and unapplied", ["--policy", "test/fixtures/check/overrides/rollout-policy.yaml", "test/fixtures/check/overrides/warn-in-dev-deny-in-prod.yaml"]],
    ["problems with and without objects", ["test/fixtures/check/app.yaml", "test/fixtures/does-not-exist.yaml"]],
  ])("check: %s", async (_name, args) => {
    const run = await check(["--output", "json", ...args]);
    expect(errorsOf(run.stdout)).toEqual([]);
  });

  it("audit, with its audit block, an unlisted kind and uids", async () => {
    const api = await startFakeCluster();
    try {
      api.put(AUDITED.Pod!, { metadata: { name: "debug", namespace: "lab", uid: "p-1", labels: { app: "debug" } }, spec: { hostNetwork: true, containers: [{ name: "a", image: "b" }] } });
      api.put(NAMESPACES, { metadata: { name: "lab" } });
      api.forbid(AUDITED.CronJob!);
      const { io, out } = fakeIo();
      await runAudit(["--kubeconfig", api.kubeconfig, "--output", "json"], { io });
      expect(errorsOf(out().stdout)).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it("rejects what it should: a finding without a rule, an unknown key", () => {
    expect(validate({ findings: [{}], waived: [], expiredExemptions: [], problems: [], unappliedOverrides: [], summary: {} })).toBe(false);
    expect(validate({ findings: [], waived: [], expiredExemptions: [], problems: [], unappliedOverrides: [], summary: {}, extra: 1 })).toBe(false);
  });
});
