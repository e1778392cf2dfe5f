import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";
import { at, hasKubectl, kustomize, list, one } from "./render.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe.skipIf(!hasKubectl())("config/wake-controllers: the opt-in write, and nothing more", () => {
  it("grants patch on the controllers that retry a denied Pod, binds it to the install's ServiceAccount, and turns the flag on", () => {
    const dir = join(tempDir("netguard-wake-"), "overlay");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "kustomization.yaml"),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(dir, join(ROOT, "config", "default"))}\ncomponents:\n  - ${relative(dir, join(ROOT, "config", "wake-controllers"))}\n`,
    );
    const objects = kustomize(dir).objects;
    const role = one(objects, "ClusterRole", "controller-wake-up");
    expect(at(role, "rules")).toEqual([
      { apiGroups: ["apps"], resources: ["replicasets", "statefulsets", "daemonsets"], verbs: ["patch"] },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["patch"] },
      { apiGroups: [""], resources: ["replicationcontrollers"], verbs: ["patch"] },
    ]);
    const binding = one(objects, "ClusterRoleBinding", "controller-wake-up");
    expect(at(binding, "subjects")).toEqual([{ kind: "ServiceAccount", name: "netguard-controller", namespace: "netguard-system" }]);
    const args = at(one(objects, "Deployment", "webhook"), "spec.template.spec.containers.0.args") as string[];
    expect(args.at(-1)).toBe("--wake-controllers");
    // Without the component the install has neither.
    const plain = kustomize(join(ROOT, "config", "default")).objects;
    expect(plain.filter((o) => String(at(o, "metadata.name")).includes("wake-up"))).toEqual([]);
    expect(at(one(plain, "Deployment", "webhook"), "spec.template.spec.containers.0.args")).not.toContain("--wake-controllers");
    expect(list(one(plain, "ClusterRole", "netguard-webhook"), "rules").flatMap((rule) => at(rule, "verbs") as string[]).filter((verb) => !["get", "list", "watch"].includes(verb))).toEqual([]);
  });
});
