import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";
import { check } from "./run-cli.js";

interface Report {
  readonly findings: readonly { rule: string; field: string }[];
  readonly problems: readonly { field: string | null; message: string }[];
}

const pod = (extra: string, labels = "{app: web}") =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: ${labels}}\nspec:\n  containers:\n    - name: web\n      image: nginx\n${extra}`;
const policy = (apiVersion: string, spec: string) => `---\napiVersion: ${apiVersion}\nkind: NetworkPolicy\nmetadata: {name: web-in, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n${spec}`;

/**
 * Manifests that Kubernetes reads differently from a naive reading: each case says what kubectl and the
 * API server do (sources: k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ContainerPort,
 * pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicyPort, pkg/apis/networking/validation
 * ValidateNetworkPolicySpec; apimachinery labels must be strings: a YAML 1.1 `yes` fails to decode into
 * map[string]string), and check must read it the same way or say it cannot (exit 2), never pass silently.
 */
describe("check reads manifests as Kubernetes does", () => {
  it.each([
    {
      name: 'protocol: "" on a container port is defaulted to TCP: no finding',
      text: `${pod('      ports: [{containerPort: 80, protocol: ""}]\n')}${policy("networking.k8s.io/v1", "  policyTypes: [Ingress]\n")}`,
      code: 0,
      findings: [],
      problems: [],
    },
    {
      name: 'protocol: "" on a NetworkPolicy port is refused by the API server (only an absent one is defaulted)',
      text: `${pod("")}${policy("networking.k8s.io/v1", '  ingress: [{ports: [{port: 80, protocol: ""}]}]\n')}`,
      code: 2,
      findings: [],
      problems: [['spec.ingress[0].ports[0].protocol', 'must be TCP, UDP or SCTP: the API server defaults only an absent protocol here and refuses ""']],
    },
    {
      name: "a scalar policyTypes is refused by the API server: no coverage",
      text: `${pod("")}${policy("networking.k8s.io/v1", "  policyTypes: Ingress\n")}`,
      code: 2,
      findings: ["ingress-policy"],
      problems: [["spec.policyTypes", 'must be a list such as [Ingress], not "Ingress" (the API server refuses it; not counted as coverage)']],
    },
    {
      name: "an unknown policy type is refused: no coverage",
      text: `${pod("")}${policy("networking.k8s.io/v1", "  policyTypes: [Ingres]\n")}`,
      code: 2,
      findings: ["ingress-policy"],
      problems: [["spec.policyTypes", '"Ingres" is not a policy type (Ingress, Egress); the API server refuses it; not counted as coverage']],
    },
    {
      name: "a NetworkPolicy of a version Kubernetes does not serve: no coverage",
      text: `${pod("")}${policy("networking.k8s.io/v2", "  policyTypes: [Ingress]\n")}`,
      code: 2,
      findings: ["ingress-policy"],
      problems: [["apiVersion", "networking.k8s.io/v2 is not served (NetworkPolicy is networking.k8s.io/v1): kubectl would refuse it; not counted as coverage"]],
    },
    {
      // go-yaml v2 (sigs.k8s.io/yaml under kubectl) applies keys and merges in document order: the later one wins.
      name: "a merge key after an explicit key overrides it, as kubectl reads it",
      text: `${pod("").replace("spec:\n", "spec:\n  hostNetwork: false\n  <<: {hostNetwork: true}\n")}${policy("networking.k8s.io/v1", "  policyTypes: [Ingress]\n")}`,
      code: 1,
      findings: ["host-network"],
      problems: [],
    },
    {
      name: "an explicit key after a merge key overrides the merge",
      text: `${pod("").replace("spec:\n", "spec:\n  <<: {hostNetwork: true}\n  hostNetwork: false\n")}${policy("networking.k8s.io/v1", "  policyTypes: [Ingress]\n")}`,
      code: 0,
      findings: [],
      problems: [],
    },
    {
      name: "of a list of merged maps the earlier wins",
      text: `${pod("").replace("spec:\n", "spec:\n  <<: [{hostNetwork: true}, {hostNetwork: false}]\n")}${policy("networking.k8s.io/v1", "  policyTypes: [Ingress]\n")}`,
      code: 1,
      findings: ["host-network"],
      problems: [],
    },
    {
      name: "a !!omap (or any tag go-yaml reads differently) is a problem, not an empty object",
      text: pod("").replace("spec:\n", "spec: !!omap\n  - hostNetwork: true\n  - containers: [{name: web, image: nginx}]\n").replace("  containers:\n    - name: web\n      image: nginx\n", ""),
      code: 2,
      findings: [],
      problems: [[null, "invalid YAML: the YAML tag tag:yaml.org,2002:omap is read differently by kubectl's decoder: not checked (remove the tag)"]],
    },
    {
      name: "an unquoted boolean label value is refused by kubectl",
      text: `${pod("", "{app: web, enabled: yes}")}${policy("networking.k8s.io/v1", "  policyTypes: [Ingress]\n")}`,
      code: 2,
      findings: [],
      problems: [["metadata.labels.enabled", "must be a string, not true: kubectl refuses it; quote the value"]],
    },
  ])("$name", async ({ text, code, findings, problems }) => {
    const file = join(tempDir("netguard-reading-"), "app.yaml");
    writeFileSync(file, text);
    const run = await check(["--output", "json", file]);
    const report = JSON.parse(run.stdout) as Report;
    expect([run.code, report.findings.map((f) => f.rule), report.problems.map((p) => [p.field, p.message])]).toEqual([code, findings, problems]);
  });
});
