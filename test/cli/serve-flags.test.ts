import { describe, expect, it } from "vitest";
import { runServe } from "../../src/cli/serve.js";
import { fakeIo } from "./run-cli.js";

/** Flags are refused before anything starts, naming what is wrong; POD_NAMESPACE stands in for the Deployment's env. */
describe("netguard serve --self-managed-certs: flag errors", () => {
  const base = ["--self-managed-certs", "--cert-dir", "/tmp/netguard-never-written", "--cert-secret", "s", "--webhook-configuration", "w", "--service", "svc", "--namespace", "ns"];
  it.each([
    ["no --cert-secret, --webhook-configuration, --service or namespace", ["--self-managed-certs", "--cert-dir", "/tmp/x"], "--self-managed-certs needs --cert-secret, --webhook-configuration, --service, --namespace (or $POD_NAMESPACE)"],
    ["no --cert-dir", base.filter((arg, i) => arg !== "--cert-dir" && base[i - 1] !== "--cert-dir"), "give --cert-dir DIR (tls.crt and tls.key), or --dev for a generated self-signed certificate"],
    ["with --dev", [...base, "--dev"], "--self-managed-certs writes the certificate into --cert-dir DIR (an emptyDir), and needs a cluster (not --dev)"],
    ["a validity that is no duration", [...base, "--cert-validity", "1y"], '--cert-validity must be a duration such as 8760h, 90m or 120s, not "1y"'],
    ["a renewal window as long as the validity", [...base, "--cert-validity", "10h", "--cert-renew-before", "10h"], '--cert-renew-before must be a duration shorter than --cert-validity, not "10h"'],
    ["a CA that cannot outlive one serving pair", [...base, "--cert-validity", "10h", "--cert-renew-before", "1h", "--ca-validity", "11h"], '--ca-validity must be a duration longer than --cert-validity plus --cert-renew-before, not "11h"'],
  ])("%s", async (_name, args, message) => {
    const { io, out } = fakeIo();
    expect(await runServe(args, io)).toBe(2);
    expect(out().stderr).toContain(message);
    expect(out().stdout).toBe("");
  });
});
