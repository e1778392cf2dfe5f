import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { generate } from "selfsigned";

/** A PEM certificate with its key. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const KEY = { keyType: "ec", algorithm: "sha256", curve: "P-256" } as const;

/** A CA for the webhook's serving certificates: the API server trusts it through the caBundle. */
export async function issueCa(now: Date, validForMs: number): Promise<KeyPair> {
  const pems = await generate([{ name: "commonName", value: "netguard-webhook-ca" }, { name: "organizationName", value: "netguard" }], {
    ...KEY,
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validForMs),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return pemPair(pems.cert, pems.private);
}

/** A serving certificate for the given DNS names and IPs, signed by the CA. */
export async function issueServing(ca: KeyPair, names: readonly string[], now: Date, validForMs: number): Promise<KeyPair> {
  const pems = await generate([{ name: "commonName", value: names[0] ?? "netguard" }], {
    ...KEY,
    ca,
    // A minute back: API servers whose clock runs a little behind accept it at once.
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validForMs),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      // The API server checks the subjectAltName, never the CN.
      { name: "subjectAltName", altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  return pemPair(pems.cert, pems.private);
}

/** Why a stored CA cannot go on signing (unreadable, not a CA, key mismatch, expiring), or undefined when it can. */
export function caProblem(ca: Partial<KeyPair>, now: Date, renewBeforeMs: number): string | undefined {
  if (!ca.cert || !ca.key) return "no CA yet";
  return parsed(ca as KeyPair, (x509) => {
    if (!x509.ca) return "ca.crt is not a CA certificate";
    return expiring(x509, now, renewBeforeMs);
  });
}

/** Why a stored serving pair must be reissued (missing, another CA, names changed, expiring), or undefined. */
export function servingProblem(serving: Partial<KeyPair>, ca: KeyPair, names: readonly string[], now: Date, renewBeforeMs: number): string | undefined {
  if (!serving.cert || !serving.key) return "no serving certificate yet";
  return parsed(serving as KeyPair, (x509) => {
    const issuer = new X509Certificate(ca.cert);
    if (!x509.checkIssued(issuer) || !x509.verify(issuer.publicKey)) return "tls.crt is not signed by the stored CA";
    const missing = names.filter((name) => (isIP(name) ? x509.checkIP(name) : x509.checkHost(name)) === undefined);
    if (missing.length > 0) return `tls.crt does not name ${missing.join(", ")}`;
    return expiring(x509, now, renewBeforeMs);
  });
}

function parsed(pair: KeyPair, check: (x509: X509Certificate) => string | undefined): string | undefined {
  try {
    const x509 = new X509Certificate(pair.cert);
    if (!x509.checkPrivateKey(createPrivateKey(pair.key))) return "the key does not belong to the certificate";
    return check(x509);
  } catch (error) {
    return `cannot parse the stored certificate or key: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function expiring(x509: X509Certificate, now: Date, renewBeforeMs: number): string | undefined {
  const notAfter = new Date(x509.validTo).getTime();
  return notAfter - now.getTime() <= renewBeforeMs ? `it expires at ${new Date(notAfter).toISOString()}, within the renewal window` : undefined;
}

/** PEM text ends with a newline, so bundles join and split back to the same certificates. */
function pemPair(cert: string, key: string): KeyPair {
  return { cert: cert.endsWith("\n") ? cert : `${cert}\n`, key: key.endsWith("\n") ? key : `${key}\n` };
}
