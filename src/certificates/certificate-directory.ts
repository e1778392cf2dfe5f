import { mkdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KeyPair } from "./issue.js";

/**
 * Writes the pair into DIR the way the kubelet writes a Secret volume: a new timestamped directory, then
 * one rename of the ..data link over the old, so a reader never sees a certificate beside another's key
 * (the certificate reloader follows DIR either way). Resolves to whether anything changed.
 */
export async function writeCertificateDirectory(dir: string, pair: KeyPair, caPem: string): Promise<boolean> {
  const current = await readFile(join(dir, "tls.crt"), "utf8").catch(() => undefined);
  const currentKey = await readFile(join(dir, "tls.key"), "utf8").catch(() => undefined);
  if (current === pair.cert && currentKey === pair.key) return false;
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, "_")}_${String(process.pid)}`;
  await mkdir(join(dir, stamp));
  await writeFile(join(dir, stamp, "tls.crt"), pair.cert, { mode: 0o600 });
  await writeFile(join(dir, stamp, "tls.key"), pair.key, { mode: 0o600 });
  await writeFile(join(dir, stamp, "ca.crt"), caPem, { mode: 0o600 });
  const previous = await readlink(join(dir, "..data")).catch(() => undefined);
  await rm(join(dir, "..data_tmp"), { force: true });
  await symlink(stamp, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const name of ["tls.crt", "tls.key", "ca.crt"]) {
    const link = await readlink(join(dir, name)).catch(() => undefined);
    if (link !== join("..data", name)) {
      await rm(join(dir, name), { force: true });
      await symlink(join("..data", name), join(dir, name));
    }
  }
  if (previous !== undefined && previous !== stamp) await rm(join(dir, previous), { recursive: true, force: true });
  return true;
}
