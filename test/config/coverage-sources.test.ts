import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../src/cluster/coverage-cache.js";
import type { CoverageSource } from "../../src/kube/coverage/source.js";
import { tempDir } from "../support/temp-dir.js";
import { at, hasKubectl, kustomize, list, one } from "./render.js";

const ROOT = join(import.meta.dirname, "..", "..");

const COMPONENTS: Readonly<Record<string, readonly CoverageSource[]>> = {
  cilium: ["cilium.io/CiliumNetworkPolicy", "cilium.io/CiliumClusterwideNetworkPolicy"],
  calico: ["projectcalico.org/NetworkPolicy", "projectcalico.org/GlobalNetworkPolicy"],
  "network-policy-api": ["policy.networking.k8s.io/ClusterNetworkPolicy", "policy.networking.k8s.io/AdminNetworkPolicy", "policy.networking.k8s.io/BaselineAdminNetworkPolicy"],
};

describe.skipIf(!hasKubectl())("config/sources: one component per API, granting exactly what serve's caches read and guarding its policies", () => {
  it.each(Object.entries(COMPONENTS))("%s", (component, sources) => {
    const dir = join(tempDir("netguard-sources-"), "overlay");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "kustomization.yaml"),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(dir, join(ROOT, "config", "default"))}\ncomponents:\n  - ${relative(dir, join(ROOT, "config", "sources", component))}\n`,
    );
    const objects = kustomize(dir).objects;
    const role = one(objects, "ClusterRole", `${component}-reader`);
    const granted = list(role, "rules").flatMap((rule) => (at(rule, "apiGroups") as string[]).flatMap((group) => (at(rule, "resources") as string[]).map((resource) => `${resource}.${group}`)));
    const needed = [...new Set(sources.flatMap((source) => resourcesOf(source).map(({ group, plural }) => `${plural}.${group}`)))];
    expect(granted.sort()).toEqual(needed.sort());
    expect(list(role, "rules").map((rule) => at(rule, "verbs"))).toEqual(list(role, "rules").map(() => ["get", "list", "watch"]));
    const binding = one(objects, "ClusterRoleBinding", `${component}-reader`);
    // Bound to the ServiceAccount the install renamed and moved (kustomize follows the reference), and to
    // config/reports' reporter, which audits with the same sources.
    expect(at(binding, "subjects")).toEqual([
      { kind: "ServiceAccount", name: "netguard-controller", namespace: "netguard-system" },
      { kind: "ServiceAccount", name: "netguard-reporter", namespace: "netguard-system" },
    ]);
    expect(at(binding, "roleRef.name")).toBe(at(role, "metadata.name"));
    // Their policies' edits and deletes reach network.netguard.io, whose guard weighs them: one added rule.
    const webhooks = list(one(objects, "ValidatingWebhookConfiguration", "validating-webhook"), "webhooks");
    const network = webhooks.find((webhook) => at(webhook, "name") === "network.netguard.io");
    const added = list(network, "rules").filter((rule) => !(at(rule, "apiGroups") as string[]).some((group) => group === "" || group === "networking.k8s.io"));
    const policies = sources.flatMap((source) => resourcesOf(source)).filter(({ plural }) => plural !== "tiers");
    expect(added).toEqual([
      expect.objectContaining({ operations: ["UPDATE", "DELETE"], apiGroups: [...new Set(policies.map(({ group }) => group))], resources: [...new Set(policies.map(({ plural }) => plural))] }),
    ]);
    expect(webhooks.filter((webhook) => webhook !== network).flatMap((webhook) => list(webhook, "rules")).some((rule) => added.includes(rule))).toBe(false);
  });
});
