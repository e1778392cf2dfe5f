import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../support/temp-dir.js";
import type { ControlPlane } from "./control-plane.js";
import { repoRoot } from "./repo-root.js";

/** The label every object of the install and of `netguard vap` carries. */
export const PART_OF = "app.kubernetes.io/part-of=netguard";

/** What the built `netguard vap` prints for a policy text. Throws with the command's own error. */
export function generatePolicies(policy: string): string {
  const file = join(tempDir("netguard-vap-policy-"), "policy.yaml");
  writeFileSync(file, policy);
  const generated = spawnSync(process.execPath, [join(repoRoot(), "dist", "src", "main.js"), "vap", "--policy", file], { encoding: "utf8" });
  if (generated.status !== 0) throw new Error(`netguard vap exited ${String(generated.status)}: ${generated.stderr}`);
  return generated.stdout;
}

/**
 * Replaces the ValidatingAdmissionPolicies installed in the cluster with what the built `netguard vap`
 * prints for a policy text, as a user would pipe it to kubectl. Throws with the command's own error.
 */
export async function replaceGeneratedPolicies(plane: ControlPlane, policy: string): Promise<void> {
  const generated = generatePolicies(policy);
  await plane.kubectl(["delete", "validatingadmissionpolicies,validatingadmissionpolicybindings", "-l", PART_OF]);
  const applied = await plane.kubectl(["apply", "-f", "-"], { stdin: generated });
  if (applied.code !== 0) throw new Error(`applying the generated policies: ${applied.stderr}`);
}
