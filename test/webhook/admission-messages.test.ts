import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/engine/types.js";
import { auditAnnotations, denialMessage, warningLines } from "../../src/webhook/admission-messages.js";

const finding = (overrides: Partial<Finding> = {}): Finding => ({
  rule: "host-port",
  action: "warn",
  object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
  field: "spec.template.spec.containers[0].ports[0].hostPort",
  value: "80",
  message: 'container "web" uses hostPort 80',
  fix: "Remove hostPort.",
  key: "web/80/TCP",
  details: [],
  ...overrides,
});

describe("admission messages", () => {
  it("a denial names each finding's rule, field, value, message and fix on one line", () => {
    expect(denialMessage(finding().object, [finding(), finding({ rule: "host-network", field: "spec.template.spec.hostNetwork", value: "true", message: "pod uses the node's network namespace (hostNetwork=true)", fix: "Remove hostNetwork." })])).toBe(
      'Deployment shop/web violates netguard policy: [host-port] spec.template.spec.containers[0].ports[0].hostPort=80: container "web" uses hostPort 80 (fix: Remove hostPort.); ' +
        "[host-network] spec.template.spec.hostNetwork=true: pod uses the node's network namespace (hostNetwork=true) (fix: Remove hostNetwork.)",
    );
  });

  it("a warning is one line per finding", () => {
    expect(warningLines([finding()])).toEqual(['[host-port] Deployment shop/web: container "web" uses hostPort 80 (spec.template.spec.containers[0].ports[0].hostPort)']);
  });

  it("warnings carry no control characters and at most 256 runes", () => {
    const [line] = warningLines([finding({ message: `bad\nname\t${"é".repeat(400)}` })]);
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect([...(line ?? "")].length).toBeLessThanOrEqual(256);
    expect(line?.endsWith("…")).toBe(true);
  });

  it("stays inside the 4096-rune total and says how many were left out", () => {
    const many = Array.from({ length: 40 }, (_, i) => finding({ message: `finding ${String(i)} ${"x".repeat(200)}` }));
    const lines = warningLines(many);
    expect(lines.reduce((sum, l) => sum + [...l].length, 0)).toBeLessThanOrEqual(4096);
    expect(lines.at(-1)).toMatch(/^netguard: \d+ more findings not shown/);
  });

  it("audit annotations use rule ids as keys (no slash, at most 63 characters)", () => {
    const annotations = auditAnnotations([finding({ action: "audit" }), finding({ action: "audit", field: "f2", value: "81", message: "m2" })]);
    expect(annotations).toEqual({ "host-port": 'spec.template.spec.containers[0].ports[0].hostPort=80: container "web" uses hostPort 80; f2=81: m2' });
    for (const key of Object.keys(annotations)) expect(key).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });
});
