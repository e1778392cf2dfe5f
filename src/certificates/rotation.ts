import { X509Certificate } from "node:crypto";
import { caProblem, issueCa, issueServing, servingProblem, type KeyPair } from "./issue.js";

/** What the Secret holds: the serving pair, the CA that signs, every CA the caBundle trusts, and a CA on its way in. */
export interface CertificateState {
  readonly serving: KeyPair;
  readonly signing: KeyPair;
  /** PEM certificates the webhook's caBundle holds; the signing CA first. */
  readonly trusted: readonly string[];
  /** A new CA already in `trusted` but not yet signing, and when it was added. */
  readonly next?: { readonly ca: KeyPair; readonly since: Date };
}

/** How long certificates live, and how long a new CA sits in the caBundle before it signs. */
export interface RotationSettings {
  readonly names: readonly string[];
  readonly validForMs: number;
  readonly renewBeforeMs: number;
  readonly caValidForMs: number;
  /** The API server reads a changed caBundle through its informer: a new CA signs only after this. */
  readonly caOverlapMs: number;
}

/** The state to write and why, or undefined when what is stored stays. */
export type RotationStep = { readonly state: CertificateState; readonly reason: string } | undefined;

/**
 * One step of the certificates' life. A CA is replaced in two steps, so the API server never meets a
 * serving certificate its caBundle does not trust: the new CA joins the bundle first, and signs only
 * once it has been there for `caOverlapMs`; the old one stays trusted until it expires. A missing or
 * unusable CA (the first start, an emptied Secret) is replaced at once: there is nothing to overlap with.
 */
export async function rotationStep(stored: Partial<CertificateState>, now: Date, settings: RotationSettings): Promise<RotationStep> {
  const signing = stored.signing ?? { cert: "", key: "" };
  const broken = caProblem(signing, now, 0);
  if (broken !== undefined) {
    const ca = await issueCa(now, settings.caValidForMs);
    return { state: { signing: ca, trusted: [ca.cert], serving: await issueServing(ca, settings.names, now, settings.validForMs) }, reason: `CA: ${broken}` };
  }
  const trusted = unexpired([signing.cert, ...(stored.trusted ?? []).filter((pem) => pem !== signing.cert)], now);
  const serving = stored.serving ?? { cert: "", key: "" };
  const next = stored.next;
  if (next !== undefined && now.getTime() - next.since.getTime() >= settings.caOverlapMs) {
    const rest = trusted.filter((pem) => pem !== next.ca.cert);
    return { state: { signing: next.ca, trusted: [next.ca.cert, ...rest], serving: await issueServing(next.ca, settings.names, now, settings.validForMs) }, reason: "the new CA has been trusted for the overlap: it signs now" };
  }
  // The CA must outlive a serving certificate issued now: past that, a new CA joins the bundle.
  if (next === undefined && caProblem(signing, now, settings.validForMs + settings.renewBeforeMs) !== undefined) {
    const ca = await issueCa(now, settings.caValidForMs);
    return { state: { signing, trusted: [...trusted, ca.cert], serving, next: { ca, since: now } }, reason: "the CA nears expiry: a new CA joins the caBundle first" };
  }
  const why = servingProblem(serving, signing, settings.names, now, settings.renewBeforeMs);
  const pruned = trusted.length !== (stored.trusted ?? []).length;
  if (why === undefined && !pruned) return undefined;
  return {
    state: { signing, trusted, serving: why === undefined ? serving : await issueServing(signing, settings.names, now, settings.validForMs), ...(next ? { next } : {}) },
    reason: why ?? "an expired CA left the caBundle",
  };
}

/** The PEM certificates of a bundle, in order. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g)?.map((pem) => (pem.endsWith("\n") ? pem : `${pem}\n`)) ?? [];
}

function unexpired(pems: readonly string[], now: Date): string[] {
  return pems.filter((pem) => {
    try {
      return new Date(new X509Certificate(pem).validTo).getTime() > now.getTime();
    } catch {
      return false;
    }
  });
}
