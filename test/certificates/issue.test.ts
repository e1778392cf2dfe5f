import { describe, expect, it } from "vitest";
import { caProblem, issueCa, issueServing, servingProblem } from "../../src/certificates/issue.js";

const NOW = new Date("2026-12-06T12:00:00Z");
const DAY = 24 * 3600 * 1000;
const NAMES = ["netguard-webhook-service.netguard-system.svc", "127.0.0.1"];

describe("self-managed certificates: when the stored pair is reissued", async () => {
  const ca = await issueCa(NOW, 3650 * DAY);
  const otherCa = await issueCa(NOW, 3650 * DAY);
  const serving = await issueServing(ca, NAMES, NOW, 365 * DAY);
  const foreign = await issueServing(otherCa, NAMES, NOW, 365 * DAY);

  it.each([
    ["a valid CA", ca, 30 * DAY, undefined],
    ["nothing stored yet", {}, 30 * DAY, "no CA yet"],
    ["a leaf stored as the CA", serving, 30 * DAY, "ca.crt is not a CA certificate"],
    ["a CA with another CA's key", { cert: ca.cert, key: otherCa.key }, 30 * DAY, "the key does not belong to the certificate"],
    ["garbage", { cert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key: ca.key }, 30 * DAY, expect.stringMatching(/^cannot parse the stored certificate or key: /)],
    ["a CA that would expire before a new serving certificate", ca, 3651 * DAY, expect.stringMatching(/^it expires at .*, within the renewal window$/)],
  ])("CA: %s", (_name, stored, window, problem) => {
    expect(caProblem(stored, NOW, window)).toEqual(problem);
  });

  it.each([
    ["valid, signed by the CA, naming every name", serving, NAMES, NOW, undefined],
    ["nothing stored yet", {}, NAMES, NOW, "no serving certificate yet"],
    ["signed by another CA", foreign, NAMES, NOW, "tls.crt is not signed by the stored CA"],
    ["a name added since", serving, [...NAMES, "netguard.example.com"], NOW, "tls.crt does not name netguard.example.com"],
    ["inside the renewal window", serving, NAMES, new Date(NOW.getTime() + 340 * DAY), expect.stringMatching(/^it expires at 2027-12-06T12:00:00\.\d{3}Z, within the renewal window$/)],
    ["its key swapped", { cert: serving.cert, key: foreign.key }, NAMES, NOW, "the key does not belong to the certificate"],
  ])("serving: %s", (_name, stored, names, now, problem) => {
    expect(servingProblem(stored, ca, names, now, 30 * DAY)).toEqual(problem);
  });
});
