import { connect, type TLSSocket } from "node:tls";
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
    // 75,001 findings in all: the first shown in full, the rest counted (those past the per-object limit were never built).
    // One group: the rule named once, its fix stated once.
    expect((message.match(/\[tcp-only\]/g) ?? []).length).toBe(1);
    expect((message.match(/\(fix: /g) ?? []).length).toBe(1);
    const shown = (message.match(/ uses UDP/g) ?? []).length;
    expect(message.endsWith(`; and ${(75_001 - shown).toLocaleString("en-US")} more (tcp-only: ${(75_000 - shown).toLocaleString("en-US")}, ingress-policy: 1); netguard check or audit lists every finding`)).toBe(true);
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

/** A raw TLS connection to the webhook: what was received, and whether it ended in a reset. */
function rawConnection(port: number, ca: string): Promise<{ socket: TLSSocket; received: () => string; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => resolve({ socket, received: () => text, closed }));
    const closed = new Promise<string>((done) => {
      socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      socket.on("close", () => done("closed"));
    });
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.once("error", reject);
  });
}

const head = (length: number | "chunked"): string =>
  `POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n${length === "chunked" ? "transfer-encoding: chunked" : `content-length: ${String(length)}`}\r\n\r\n`;

describe("unfinished and oversized bodies", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startTestWebhook({ bodyLimit: 1024 * 1024, bodyTimeoutMs: 1000, bodyBudgetBytes: 4 * 1024 * 1024 });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it.each([
    { name: "declared too large, the client still sending", length: 8 * 1024 * 1024 },
    { name: "chunked past the limit, the client still sending", length: "chunked" as const },
  ])("$name: the 413 arrives (the rest is read and dropped), not a reset", async ({ length }) => {
    const { socket, received } = await rawConnection(harness.webhook.port, harness.ca.cert);
    socket.write(head(length));
    const piece = "x".repeat(64 * 1024);
    for (let i = 0; i < 40; i += 1) {
      const data = length === "chunked" ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece;
      if (!socket.write(data)) await new Promise((resolve) => socket.once("drain", resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received()).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(received()).toMatch(/"error":"body (of \d+ bytes )?exceeds the 1048576-byte limit"/);
    socket.destroy();
  });

  it("stalled bodies: held bytes stay within the shared budget (503 past it), each stall ends in a 408, and a normal review is answered meanwhile", async () => {
    const stalled = await Promise.all(Array.from({ length: 8 }, () => rawConnection(harness.webhook.port, harness.ca.cert)));
    // Each sends 900 KiB of a 1 MiB body and stops: five fit the 4 MiB budget, the rest are refused.
    for (const { socket } of stalled) {
      socket.write(head(1024 * 1024));
      socket.write("x".repeat(900 * 1024));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const normal = await harness.post(admissionReview(pod("fine", podSpec({}))));
    expect(normal.status).toBe(200);
    const endings = await Promise.all(stalled.map((connection) => connection.closed.then(() => connection.received())));
    const statuses = endings.map((text) => /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]).sort();
    expect(statuses).toEqual(["408", "408", "408", "408", "503", "503", "503", "503"]);
    for (const text of endings.filter((t) => t.includes(" 408 "))) expect(text).toContain('"error":"the body did not arrive within 1 s"');
    for (const text of endings.filter((t) => t.includes(" 503 "))) expect(text).toContain('"error":"too many request bodies are arriving at once; retry"');
  });
});

