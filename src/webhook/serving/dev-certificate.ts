import { generate } from "selfsigned";
import { checkPair, type CertificatePair } from "./certificates.js";

/** A throwaway self-signed certificate for localhost, for running without a cluster (`serve --dev`). */
export async function generateDevCertificate(): Promise<CertificatePair> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      // The API server (and curl) check the subjectAltName, never the CN.
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  const pair = checkPair(pems.cert, pems.private);
  if (!pair.ok) throw new Error(`generated certificate is unusable: ${pair.error}`);
  return pair.value;
}
