import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Parsed } from "../../kube/object.js";
import { describeFsError } from "../../manifests/read-inputs.js";

/** A serving key pair known to belong together. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
  readonly notAfter: Date;
  readonly fingerprint: string;
}

/** Checks that a PEM certificate and key parse and match; a mismatched pair must never be served. */
export function checkPair(cert: string, key: string): Parsed<CertificatePair> {
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return { ok: false, error: "tls.key does not belong to tls.crt" };
    return { ok: true, value: { cert, key, notAfter: new Date(x509.validTo), fingerprint: x509.fingerprint256 } };
  } catch (error) {
    return { ok: false, error: `cannot parse the certificate or key: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Reads DIR/tls.crt and DIR/tls.key (the cert-manager Secret layout) as a checked pair. */
export async function readPair(dir: string): Promise<Parsed<CertificatePair>> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(join(dir, "tls.crt"), "utf8"), readFile(join(dir, "tls.key"), "utf8")]);
  } catch (error) {
    return { ok: false, error: `cannot read ${dir}/tls.crt and tls.key: ${describeFsError(error)}` };
  }
  return checkPair(cert, key);
}
