import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pod, podSpec } from "../builders.js";
import { admissionReview } from "../support/reviews.js";
import { startTestWebhook } from "../support/webhook-harness.js";

type Harness = Awaited<ReturnType<typeof startTestWebhook>>;

interface Answer {
  readonly response: { allowed: boolean; warnings?: string[]; status?: { message: string } };
}

/** The kinds of unreadable or violating entries a caller can repeat without bound, one review each. */
const AMPLIFIERS: readonly { name: string; spec: Record<string, unknown> }[] = [
  // Numbers where ports should be mappings: each one is a field netguard cannot read.
  { name: "a million-byte list of bare numbers as ports", spec: { containers: [{ name: "c", image: "i", ports: Array.from({ length: 500_000 }, () => 1) }] } },
  // Strings where containers should be: the same class, another list.
  { name: "init containers that are strings", spec: { containers: [{ name: "c", image: "i" }], initContainers: Array.from({ length: 200_000 }, () => "x") } },
  // Ports with bogus protocol values: readable entries, each a problem with a value in its text.
  { name: "ports with object protocols", spec: { containers: [{ name: "c", image: "i", ports: Array.from({ length: 50_000 }, (_, i) => ({ containerPort: i, protocol: { p: "x".repeat(20) } })) }] } },
];

describe("hostile reviews are answered within bounds", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startTestWebhook();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it.each(AMPLIFIERS)("$name: the answer stays a few KiB and the warnings stay within the API server's budget", async ({ spec }) => {
    const body = JSON.stringify(admissionReview(pod("amp", spec)));
    const answer = await harness.post(body);
    expect(answer.status).toBe(200);
    expect(answer.text.length).toBeLessThan(16 * 1024);
    const { response } = answer.json as Answer;
    const warnings = response.warnings ?? [];
    expect(warnings.reduce((sum, line) => sum + [...line].length, 0)).toBeLessThanOrEqual(4096);
    expect(warnings.at(-1)).toMatch(/^netguard: \d+ more warnings not shown \(warning size limit\)/);
    expect(warnings[0]).toMatch(/^netguard could not read Pod default\/amp spec\./);
  });

  it("a denial with 75 containers of 1,000 UDP ports each is summarised, first findings in full", async () => {
    const containers = Array.from({ length: 75 }, (_, c) => ({ name: `c${String(c)}`, image: "i", ports: Array.from({ length: 1000 }, (_, p) => ({ containerPort: p + 1, protocol: "UDP" })) }));
    const answer = await harness.post(admissionReview(pod("udp", podSpec({ containers }))));
    const message = (answer.json as Answer).response.status?.message ?? "";
    expect(answer.text.length).toBeLessThan(8 * 1024);
    expect(message).toMatch(/^Pod default\/udp violates netguard policy: \[tcp-only\] spec\.containers\[0\]\.ports\[0\]\.protocol=UDP: container "c0" port 1 uses UDP/);
    expect(message).toMatch(/; and \d+ more \(tcp-only: \d+, ingress-policy: 1\); netguard check or audit lists every finding$/);
  });

  it("metric labels take the kinds netguard judges or 'other', never the caller's text", async () => {
    for (let i = 0; i < 20; i += 1) {
      const object = { apiVersion: "v1", kind: `Kind${String(i)}${"k".repeat(10_000)}`, metadata: { name: "x", namespace: "default" } };
      expect((await harness.post(admissionReview(object, { uid: `kind-${String(i)}` }))).status).toBe(200);
    }
    await harness.post(admissionReview(pod("p", podSpec({}))));
    await new Promise((resolve) => setImmediate(resolve));
    const page = await (await fetch(`${harness.health}/metrics`)).text();
    const kinds = new Set([...page.matchAll(/netguard_admission_requests_total\{kind="([^"]*)"/g)].map((m) => m[1]));
    expect([...kinds].sort()).toEqual(["Pod", "other"]);
    expect(page).toContain('netguard_admission_requests_total{kind="other",operation="CREATE",decision="allow"} 20');
    expect(page.length).toBeLessThan(64 * 1024);
    // The decision line keeps a bounded prefix of what the caller sent.
    const line = harness.logs().find((entry) => entry["uid"] === "kind-3");
    expect(String(line?.["kind"])).toHaveLength(256);
    expect(String(line?.["kind"]).endsWith("…")).toBe(true);
  });
});
