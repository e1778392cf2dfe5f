import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rotationStep, splitPem, type CertificateState, type RotationSettings } from "../../src/certificates/rotation.js";

const S = 1000;
const T0 = new Date("2026-12-06T12:00:00Z");
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * S);
const SETTINGS: RotationSettings = { names: ["netguard-webhook-service.netguard-system.svc"], validForMs: 20 * S, renewBeforeMs: 10 * S, caValidForMs: 100 * S, caOverlapMs: 5 * S };

const issuerOf = (state: CertificateState): string => new X509Certificate(state.serving.cert).issuer;
const subjectKeyOf = (pem: string): string => new X509Certificate(pem).fingerprint256;
const signedBy = (state: CertificateState, ca: string): boolean => new X509Certificate(state.serving.cert).checkIssued(new X509Certificate(ca));

describe("self-managed certificates over a CA's life: the caBundle always trusts what is served", () => {
  it("bootstraps, renews the serving pair under one CA, then replaces the CA in two steps and prunes the old one", async () => {
    const first = await rotationStep({}, T0, SETTINGS);
    expect(first?.reason).toBe("CA: no CA yet");
    let state = first?.state as CertificateState;
    const ca1 = state.signing.cert;
    expect(state.trusted).toEqual([ca1]);
    expect(signedBy(state, ca1)).toBe(true);

    // Within its lifetime and outside the renewal window: nothing to do.
    expect(await rotationStep(state, at(5), SETTINGS)).toBeUndefined();
    // Inside the renewal window: a new serving pair, same CA, same bundle.
    const renewed = await rotationStep(state, at(12), SETTINGS);
    expect(renewed?.reason).toMatch(/within the renewal window$/);
    state = renewed?.state as CertificateState;
    expect(state.trusted).toEqual([ca1]);
    expect(signedBy(state, ca1)).toBe(true);

    // The CA (100 s) can no longer outlive a serving pair issued now (20 s + 10 s): a new CA joins the bundle, it does not sign yet.
    const joined = await rotationStep(state, at(75), SETTINGS);
    expect(joined?.reason).toBe("the CA nears expiry: a new CA joins the caBundle first");
    state = joined?.state as CertificateState;
    const ca2 = state.next?.ca.cert ?? "";
    expect(state.trusted).toEqual([ca1, ca2]);
    expect(signedBy(state, ca1)).toBe(true);

    // Before the overlap has passed the serving pair stays (the API server may not have the new bundle yet).
    expect((await rotationStep(state, at(78), SETTINGS))?.state.signing.cert ?? ca1).toBe(ca1);

    // After it: the new CA signs, the old one stays trusted until it expires.
    const promoted = await rotationStep(state, at(81), SETTINGS);
    expect(promoted?.reason).toBe("the new CA has been trusted for the overlap: it signs now");
    state = promoted?.state as CertificateState;
    expect(state.next).toBeUndefined();
    expect(state.trusted.map(subjectKeyOf)).toEqual([subjectKeyOf(ca2), subjectKeyOf(ca1)]);
    expect(signedBy(state, ca2)).toBe(true);
    expect(issuerOf(state)).toContain("netguard-webhook-ca");

    // The old CA expired (100 s after T0): it leaves the bundle (here with the serving pair's own renewal).
    const pruned = await rotationStep(state, at(101), SETTINGS);
    expect(pruned?.state.trusted).toEqual([ca2]);
    expect(signedBy(pruned?.state as CertificateState, ca2)).toBe(true);
  });

  it("an emptied or foreign CA is replaced at once (nothing to overlap with); a bundle splits into its certificates", async () => {
    const state = (await rotationStep({}, T0, SETTINGS))?.state as CertificateState;
    const other = (await rotationStep({}, T0, SETTINGS))?.state as CertificateState;
    const mismatched = await rotationStep({ ...state, signing: { cert: state.signing.cert, key: other.signing.key } }, at(1), SETTINGS);
    expect(mismatched?.reason).toBe("CA: the key does not belong to the certificate");
    expect(splitPem(`${state.signing.cert}${other.signing.cert}`)).toEqual([state.signing.cert, other.signing.cert]);
  });
});
