import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";
import { tempDir } from "./temp-dir.js";

/** A PEM certificate and its key. */
export interface Pem {
  readonly cert: string;
  readonly key: string;
}

/** A throwaway CA for the tests. */
export async function makeCa(name = "netguard test CA"): Promise<Pem> {
  const pems = await generate([{ name: "commonName", value: name }], {
    keyType: "ec",
    algorithm: "sha256",
    curve: "P-256",
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A leaf signed by the CA: a server certificate for localhost/127.0.0.1, or a client certificate. */
export async function issue(ca: Pem, options: { cn?: string; client?: boolean } = {}): Promise<Pem> {
  const pems = await generate([{ name: "commonName", value: options.cn ?? "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    curve: "P-256",
    ca,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: !options.client, clientAuth: options.client === true },
      ...(options.client ? [] : [{ name: "subjectAltName" as const, altNames: [{ type: 2 as const, value: "localhost" }, { type: 7 as const, ip: "127.0.0.1" }] }]),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A certificate directory laid out the way the kubelet writes Secret volumes (..data symlink swap). */
export interface SecretDir {
  readonly dir: string;
  /** Writes a new timestamped directory and atomically renames a new ..data link over the old. */
  readonly swap: (pem: Pem) => void;
}

let generation = 0;

/** Creates the directory with a first pair. */
export function secretDir(pem: Pem): SecretDir {
  const dir = tempDir("netguard-certs-");
  const swap = (next: Pem): void => {
    generation += 1;
    const stamp = `..2026_11_24_00_00_${String(generation).padStart(4, "0")}`;
    mkdirSync(join(dir, stamp));
    writeFileSync(join(dir, stamp, "tls.crt"), next.cert);
    writeFileSync(join(dir, stamp, "tls.key"), next.key);
    symlinkSync(stamp, join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  };
  swap(pem);
  symlinkSync(join("..data", "tls.crt"), join(dir, "tls.crt"));
  symlinkSync(join("..data", "tls.key"), join(dir, "tls.key"));
  return { dir, swap };
}
