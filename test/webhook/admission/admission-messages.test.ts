import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/engine/types.js";
import { auditAnnotations, boundedWarnings, denialMessage, findingWarnings, omittedWarnings, problemWarnings, retryWarnings } from "../../../src/webhook/admission/admission-messages.js";

const warningLines = (findings: readonly Finding[]): string[] => boundedWarnings(findingWarnings(findings));

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
  const coverage = (kind: string, overrides: Partial<Finding> = {}): Finding =>
    finding({ rule: "ingress-policy", cappedFrom: "deny", object: { apiVersion: "apps/v1", kind, namespace: "shop", name: "web" }, ...overrides });
  it.each([
    ["a Deployment: rollout restart", coverage("Deployment"), false, ['netguard: Pods of Deployment shop/web are denied until their ingress coverage is in place; then "kubectl rollout restart deployment/web -n shop" retries at once (the controller\'s own backoff waits up to 16 minutes)']],
    ["a DaemonSet: rollout restart", coverage("DaemonSet"), false, ['netguard: Pods of DaemonSet shop/web are denied until their ingress coverage is in place; then "kubectl rollout restart daemonset/web -n shop" retries at once (the controller\'s own backoff waits up to 16 minutes)']],
    ["a Job: any change wakes its controller", coverage("Job"), false, ['netguard: Pods of Job shop/web are denied until their ingress coverage is in place; then "kubectl annotate job/web -n shop netguard.io/retry-at="$(date +%s)" --overwrite" retries at once (the controller\'s own backoff waits up to 16 minutes)']],
    ["with the wake-up installed", coverage("StatefulSet"), true, ["netguard: Pods of StatefulSet shop/web are denied until their ingress coverage is in place; netguard wakes its controller as soon as a policy covers them"]],
    ["a CronJob creates Jobs, not Pods", coverage("CronJob"), false, []],
    ["a warn the policy chose (no Pod is denied)", finding({ rule: "ingress-policy" }), false, []],
    ["another rule's capped finding", coverage("Deployment", { rule: "host-port" }), false, []],
  ])("tells how a workload's denied Pods retry: %s", (_name, f, wakeUp, lines) => {
    expect(boundedWarnings(retryWarnings([f], wakeUp))).toEqual(lines);
  });

  it("counts warn and already-present findings past the per-object limit in one line each, and nothing when there are none", () => {
    expect(boundedWarnings(omittedWarnings(12_000, 3, 1000))).toEqual([
      "netguard: 12,000 more warn findings past the limit of 1,000 per object, not listed; run netguard check or audit for all of them",
      "netguard: 3 more findings already present before this update (not denied) past the limit of 1,000 per object, not listed",
    ]);
    expect(boundedWarnings(omittedWarnings(0, 0, 1000))).toEqual([]);
  });

  it("a denial with only findings past the limit says how many, per rule", () => {
    expect(denialMessage(finding().object, [], new Map([["tcp-only", 2]]))).toBe("Deployment shop/web violates netguard policy: 2 findings past what one review lists (tcp-only: 2); netguard check or audit lists every finding");
  });

  it("a denial groups findings by rule in the order each first appears, and states each rule's fix once", () => {
    const udp = (port: number) => finding({ rule: "tcp-only", field: `spec.template.spec.containers[0].ports[${String(port)}].protocol`, value: "UDP", message: `port ${String(port)} uses UDP`, fix: "Use TCP." });
    expect(denialMessage(finding().object, [udp(0), finding(), udp(1), udp(2)])).toBe(
      "Deployment shop/web violates netguard policy: [tcp-only] spec.template.spec.containers[0].ports[0].protocol=UDP: port 0 uses UDP; " +
        "spec.template.spec.containers[0].ports[1].protocol=UDP: port 1 uses UDP; spec.template.spec.containers[0].ports[2].protocol=UDP: port 2 uses UDP (fix: Use TCP.); " +
        '[host-port] spec.template.spec.containers[0].ports[0].hostPort=80: container "web" uses hostPort 80 (fix: Remove hostPort.)',
    );
  });

  it("a denial names each finding's rule, field, value, message and fix on one line", () => {
    expect(denialMessage(finding().object, [finding(), finding({ rule: "host-network", field: "spec.template.spec.hostNetwork", value: "true", message: "pod uses the node's network namespace (hostNetwork=true)", fix: "Remove hostNetwork." })])).toBe(
      'Deployment shop/web violates netguard policy: [host-port] spec.template.spec.containers[0].ports[0].hostPort=80: container "web" uses hostPort 80 (fix: Remove hostPort.); ' +
        "[host-network] spec.template.spec.hostNetwork=true: pod uses the node's network namespace (hostNetwork=true) (fix: Remove hostNetwork.)",
    );
  });

  it("a warning is one line per finding", () => {
    expect(warningLines([finding()])).toEqual(['[host-port] Deployment shop/web: container "web" uses hostPort 80 (spec.template.spec.containers[0].ports[0].hostPort)']);
  });

  it("warnings carry no control characters (shown escaped) and at most 256 runes", () => {
    const [line] = warningLines([finding({ message: `bad\nname\t\u001b[2K\r${"é".repeat(400)}` })]);
    expect(line).toBeDefined();
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(line).toContain("bad\\nname\\t\\x1b[2K\\r");
    expect([...(line ?? "")].length).toBeLessThanOrEqual(256);
    expect(line?.endsWith("…")).toBe(true);
  });

  it("a million unreadable entries give a bounded list of warnings that counts the rest", () => {
    const object = { ref: finding().object };
    const problems = Array.from({ length: 1_000_000 }, (_, i) => ({ field: `spec.containers[0].ports[${String(i)}]`, message: "must be a mapping" }));
    const lines = boundedWarnings(findingWarnings([finding()]), problemWarnings(object, problems));
    expect(lines[0]).toBe('[host-port] Deployment shop/web: container "web" uses hostPort 80 (spec.template.spec.containers[0].ports[0].hostPort)');
    expect(lines[1]).toBe("netguard could not read Deployment shop/web spec.containers[0].ports[0]: must be a mapping");
    expect(lines.reduce((sum, l) => sum + [...l].length, 0)).toBeLessThanOrEqual(4096);
    const shown = lines.length - 1;
    expect(lines.at(-1)).toBe(`netguard: ${String(1_000_001 - shown)} more warnings not shown (warning size limit); run netguard check or audit for all of them`);
  });

  it("a denial with thousands of findings stays near 4 KiB, shows the first findings in full and counts the rest per rule", () => {
    const udp = Array.from({ length: 5000 }, (_, i) => finding({ rule: "tcp-only", action: "deny", field: `spec.containers[0].ports[${String(i)}].protocol`, value: "UDP", message: `port ${String(i)} uses UDP`, fix: "Use TCP." }));
    const hostPorts = Array.from({ length: 300 }, () => finding({ action: "deny" }));
    const message = denialMessage(finding().object, [...udp, ...hostPorts]);
    expect(message.length).toBeLessThanOrEqual(4000);
    // Grouped by rule: the rule named once, each finding's field, value and message, the fix once at the end of the group.
    expect(message.startsWith("Deployment shop/web violates netguard policy: [tcp-only] spec.containers[0].ports[0].protocol=UDP: port 0 uses UDP; spec.containers[0].ports[1].protocol=UDP: port 1 uses UDP; ")).toBe(true);
    expect((message.match(/\(fix: /g) ?? []).length).toBe(1);
    const shown = (message.match(/ uses UDP/g) ?? []).length;
    expect(message.endsWith(`; and ${(5300 - shown).toLocaleString("en-US")} more (tcp-only: ${(5000 - shown).toLocaleString("en-US")}, host-port: 300); netguard check or audit lists every finding`)).toBe(true);
  });

  it("a denial shows control characters from the object escaped and cuts a huge value", () => {
    const message = denialMessage({ apiVersion: "v1", kind: "Pod", namespace: "default", name: "x\u001b[2K\rDENY" }, [finding({ action: "deny", value: "v".repeat(100_000), message: "m\u0007" })]);
    expect(message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(message.startsWith("Pod default/x\\x1b[2K\\rDENY violates netguard policy: [host-port] ")).toBe(true);
    expect(message.length).toBeLessThan(1100);
  });

  it("stays inside the 4096-rune total and says how many were left out", () => {
    const many = Array.from({ length: 40 }, (_, i) => finding({ message: `finding ${String(i)} ${"x".repeat(200)}` }));
    const lines = warningLines(many);
    expect(lines.reduce((sum, l) => sum + [...l].length, 0)).toBeLessThanOrEqual(4096);
    expect(lines.at(-1)).toMatch(/^netguard: \d+ more warnings not shown/);
  });

  it("audit annotations use rule ids as keys (no slash, at most 63 characters)", () => {
    const annotations = auditAnnotations([finding({ action: "audit" }), finding({ action: "audit", field: "f2", value: "81", message: "m2" })]);
    expect(annotations).toEqual({ "host-port": 'spec.template.spec.containers[0].ports[0].hostPort=80: container "web" uses hostPort 80; f2=81: m2' });
    for (const key of Object.keys(annotations)) expect(key).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });
});
