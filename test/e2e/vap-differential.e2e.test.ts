import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BUILTIN_RULES } from "../../src/rules/index.js";
import { tempDir } from "../support/temp-dir.js";
import { corpusObjects, fixtureObjects, matrixObjects, podBearing, type Candidate } from "./support/differential-objects.js";
import { PART_OF, replaceGeneratedPolicies } from "./support/generated-policies.js";
import { createNamespace } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const NS = "e2e-differential";
const OFF = { "host-network": "off", "host-port": "off", "tcp-only": "off", "ingress-policy": "off" };

/** One differential run: a policy with one stateless rule on, and probe Pods that tell when it is in force. */
interface Run {
  readonly name: string;
  readonly rule: "host-network" | "host-port" | "tcp-only";
  readonly policy: string;
  readonly denied: string;
  readonly allowed: readonly string[];
  /** Services and NetworkPolicies the run denies and admits (tcp-only judges them in policies of their own). */
  readonly network?: { readonly denied: string; readonly allowed: string };
  /** Kinds an exemption lets through: left out of the denied probe. */
  readonly exemptKinds?: readonly string[];
}

const probe = (name: string, spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS }, spec });
const PROBES = {
  hostNetwork: probe("probe-host-network", { hostNetwork: true, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] }),
  hostPort: probe("probe-host-port", { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
  udp: probe("probe-udp", { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 53, protocol: "UDP" }] }] }),
  sctp: probe("probe-sctp", { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 5000, protocol: "SCTP" }] }] }),
};

/** A Service and a NetworkPolicy with one port of a protocol. */
const networkProbes = (protocol: string): string =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "Service", metadata: { name: `probe-${protocol.toLowerCase()}`, namespace: NS }, spec: { ports: [{ port: 5000, protocol }] } },
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `probe-${protocol.toLowerCase()}`, namespace: NS }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 5000, protocol }] }] } },
    ],
  });

const policyText = (rules: Record<string, unknown>): string => `${JSON.stringify({ rules: { ...OFF, ...rules } })}\n`;
const RUNS: readonly Run[] = [
  { name: "host-network", rule: "host-network", policy: policyText({ "host-network": "deny" }), denied: PROBES.hostNetwork, allowed: [PROBES.hostPort, PROBES.udp] },
  {
    name: "host-port with allowedHostPorts",
    rule: "host-port",
    policy: policyText({ "host-port": { action: "deny", allowedHostPorts: [{ port: 9100 }, { min: 30000, max: 30100, protocol: "UDP" }] } }),
    denied: PROBES.hostPort,
    allowed: [PROBES.hostNetwork, PROBES.udp],
  },
  {
    name: "tcp-only",
    rule: "tcp-only",
    policy: policyText({ "tcp-only": "deny" }),
    denied: PROBES.sctp,
    allowed: [PROBES.hostNetwork, PROBES.hostPort],
    network: { denied: networkProbes("SCTP"), allowed: networkProbes("TCP") },
  },
  {
    name: "tcp-only with SCTP allowed",
    rule: "tcp-only",
    policy: policyText({ "tcp-only": { action: "deny", allowedProtocols: ["TCP", "SCTP"] } }),
    denied: PROBES.udp,
    allowed: [PROBES.sctp, PROBES.hostNetwork],
    network: { denied: networkProbes("UDP"), allowed: networkProbes("SCTP") },
  },
  {
    // Overrides split the rule by namespace (names and labels), exemptions follow kind, annotations count.
    name: "host-network overridden to deny here, DaemonSets exempt, annotation exemptions on",
    rule: "host-network",
    policy: `${JSON.stringify({
      rules: { ...OFF, "host-network": "warn" },
      overrides: [
        { namespaces: ["other"], rules: { "tcp-only": "deny" } },
        { namespaces: ["e2e-diff*"], namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } }, rules: { "host-network": "deny" } },
      ],
      exemptions: [{ reason: "node agents", rules: ["host-network"], kinds: ["DaemonSet"] }],
      annotationExemptions: true,
    })}\n`,
    denied: PROBES.hostNetwork,
    allowed: [PROBES.hostPort, PROBES.udp],
    exemptKinds: ["DaemonSet"],
  },
];

/** How one dry-run create ended, reduced to what the two paths must agree on. */
type Outcome = { readonly result: "allowed" } | { readonly result: "denied"; readonly message: string } | { readonly result: "other"; readonly text: string };

describeE2e("the generated ValidatingAdmissionPolicies decide as the webhook does, object by object", () => {
  const env = useE2eEnvironment({ netguard: { policy: RUNS[0]?.policy ?? "" } });
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });
  const corpus = corpusObjects();
  if (corpus === undefined) process.stderr.write("vap-differential: ../shared/corpus/kube-prometheus is absent: the corpus part is skipped; the matrix and fixtures still run\n");
  const candidates: Candidate[] = [...matrixObjects(), ...fixtureObjects(), ...(corpus ?? [])];
  const dir = tempDir("netguard-differential-");
  const byWebhook = new Map<string, Outcome[]>();
  const byPolicies = new Map<string, Outcome[]>();
  const typeWarnings: string[] = [];

  /** Every candidate, renamed d<index> and stripped of its namespace, dry-run created in one kubectl call. */
  const dryRunAll = async (): Promise<Outcome[]> => {
    candidates.forEach(({ object }, index) => {
      const metadata: Record<string, unknown> = { ...(object["metadata"] as Record<string, unknown>), name: `d${String(index)}` };
      delete metadata["namespace"];
      writeFileSync(join(dir, `${String(index).padStart(4, "0")}.json`), JSON.stringify({ ...object, metadata }));
    });
    const run = await kubectl(["create", "--dry-run=server", "-n", NS, "-f", dir]);
    const outcomes: (Outcome | undefined)[] = candidates.map(() => undefined);
    for (const match of run.stdout.matchAll(/\/d(\d+) created \(server dry run\)$/gm)) outcomes[Number(match[1])] = { result: "allowed" };
    for (const match of run.stderr.matchAll(/^Error from server \((\w+)\): error when creating ".*?(\d{4})\.json": (.*)$/gm)) {
      const [, reason = "", index = "", text = ""] = match;
      outcomes[Number(index)] = reason === "Forbidden" ? { result: "denied", message: text } : { result: "other", text: `${reason}: ${text}` };
    }
    const missing = outcomes.flatMap((outcome, index) => (outcome === undefined ? [candidates[index]?.origin] : []));
    if (missing.length > 0) throw new Error(`kubectl reported nothing for ${missing.join(", ")}:\n${run.stdout}\n${run.stderr}`);
    return outcomes as Outcome[];
  };

  /**
   * Waits until the run's probe is denied and the others pass, as a Pod and in every other pod-bearing
   * kind: the API server loads each policy on its own, so one kind's answer says nothing of another's.
   */
  const waitInForce = async (run: Run, deniedBy: string): Promise<void> => {
    const exempt = run.exemptKinds ?? [];
    const everyKind = (probe: string): string => {
      const pod = JSON.parse(probe) as { metadata: { name: string }; spec: Record<string, unknown> };
      const objects = podBearing(pod.metadata.name, pod.spec).filter((object) => !exempt.includes(String(object["kind"])));
      return JSON.stringify({ apiVersion: "v1", kind: "List", items: objects.map((object) => ({ ...object, metadata: { ...(object["metadata"] as object), namespace: NS } })) });
    };
    const kinds = podBearing("x", {}).length - exempt.length;
    await waitFor(`${run.name} to be in force (${deniedBy})`, async () => {
      const denied = await kubectl(["create", "--dry-run=server", "-f", "-"], everyKind(run.denied));
      if (denied.stderr.split(deniedBy).length - 1 !== kinds) return undefined;
      for (const allowed of run.allowed) if ((await kubectl(["create", "--dry-run=server", "-f", "-"], everyKind(allowed))).code !== 0) return undefined;
      if (run.network !== undefined) {
        if ((await kubectl(["create", "--dry-run=server", "-f", "-"], run.network.denied)).stderr.split(deniedBy.replace("workloads.netguard.io", "network.netguard.io")).length - 1 !== 2) return undefined;
        if ((await kubectl(["create", "--dry-run=server", "-f", "-"], run.network.allowed)).code !== 0) return undefined;
      }
      return true;
    }, { timeoutMs: 90_000 });
  };

  it("through the webhook alone (no policies installed): every candidate, once per rule", async () => {
    await createNamespace(env.plane(), NS);
    expect(candidates.length).toBeGreaterThan(80);
    let current = RUNS[0]?.policy;
    for (const run of RUNS) {
      // netguard reloads on a change of the file's content only.
      if (run.policy !== current) await env.netguard().setPolicy(run.policy);
      current = run.policy;
      await waitInForce(run, 'admission webhook "workloads.netguard.io" denied the request');
      byWebhook.set(run.name, await dryRunAll());
    }
  });

  it("through the generated policies alone (webhook removed, netguard stopped): every candidate, once per rule; no type-checking warnings", async () => {
    expect((await kubectl(["delete", "validatingwebhookconfigurations", "-l", PART_OF])).code).toBe(0);
    await env.netguard().stop();
    for (const run of RUNS) {
      await replaceGeneratedPolicies(env.plane(), run.policy);
      // A stale webhook configuration would fail every request here (netguard is stopped): in force means gone.
      // One policy per scope and action holds every rule: the denial's [rule] says which run is in force.
      await waitInForce(run, `denied request: [${run.rule}] `);
      byPolicies.set(run.name, await dryRunAll());
      typeWarnings.push(...(await typeCheckingWarnings()));
    }
    expect(typeWarnings).toEqual([]);
  });

  it("the same allow or deny for every object and rule, and messages naming the same containers and ports", () => {
    const disagreements: string[] = [];
    const counts: string[] = [];
    for (const run of RUNS) {
      const webhook = byWebhook.get(run.name) ?? [];
      const policies = byPolicies.get(run.name) ?? [];
      const fix = BUILTIN_RULES.find((rule) => rule.id === run.rule)?.fix ?? "";
      let denied = 0;
      candidates.forEach((candidate, index) => {
        const expected = expectedFromWebhook(webhook[index], run.rule, fix);
        const actual = fromPolicy(policies[index]);
        if (expected.result === "denied") denied += 1;
        if (JSON.stringify(expected) !== JSON.stringify(actual)) disagreements.push(`${run.name}: ${candidate.origin} (d${String(index)}):\n  webhook  ${JSON.stringify(expected)}\n  policies ${JSON.stringify(actual)}`);
      });
      counts.push(`${run.name}: ${String(denied)} of ${String(candidates.length)} denied by both`);
      // Not vacuous: every run denies some and admits some.
      expect(denied).toBeGreaterThan(5);
      expect(denied).toBeLessThan(candidates.length);
    }
    process.stderr.write(`vap-differential: ${counts.join("; ")}\n`);
    expect(disagreements).toEqual([]);
  });

  /** Warnings of every netguard policy's type check, once the status controller has looked at its generation. */
  async function typeCheckingWarnings(): Promise<string[]> {
    return waitFor("status.typeChecking of every generated policy", async () => {
      const listed = JSON.parse((await kubectl(["get", "validatingadmissionpolicies", "-l", PART_OF, "-o", "json"])).stdout) as {
        items: { metadata: { name: string; generation: number }; status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: { fieldRef: string; warning: string }[] } } }[];
      };
      if (listed.items.length === 0 || listed.items.some((item) => item.status?.observedGeneration !== item.metadata.generation || item.status.typeChecking === undefined)) return undefined;
      return listed.items.flatMap((item) => (item.status?.typeChecking?.expressionWarnings ?? []).map((warning) => `${item.metadata.name} ${warning.fieldRef}: ${warning.warning}`));
    }, { timeoutMs: 30_000 });
  }
});

/**
 * What the policy path must answer, derived from the webhook's: an allow, the same other error, or a
 * denial "[rule] M1; M2 (fix: ...)" listing the webhook's findings' messages in its order.
 */
function expectedFromWebhook(outcome: Outcome | undefined, rule: string, fix: string): Outcome | { result: "missing" } {
  if (outcome === undefined) return { result: "missing" };
  if (outcome.result !== "denied") return outcome;
  // The webhook's denial groups one rule's findings: "[rule] f1=v1: M1; f2=v2: M2 (fix: ...)".
  const body = outcome.message.replace(/^admission webhook "[\w.]+" denied the request: \S+ \S+ violates netguard policy: /, "");
  const prefix = `[${rule}] `;
  const suffix = ` (fix: ${fix})`;
  if (!body.startsWith(prefix) || !body.endsWith(suffix)) return { result: "denied", message: `unexpected webhook denial: ${body}` };
  const messages = body
    .slice(prefix.length, body.length - suffix.length)
    .split(/; (?=\S+?=\S+: )/)
    .map((part) => part.replace(/^\S+?=\S+: /, "").replace(/ \(deny in [^)]*\)$/, ""));
  return { result: "denied", message: `[${rule}] ${messages.join("; ")} (fix: ${fix})` };
}

function fromPolicy(outcome: Outcome | undefined): Outcome | { result: "missing" } {
  if (outcome === undefined) return { result: "missing" };
  if (outcome.result !== "denied") return outcome;
  return { result: "denied", message: outcome.message.replace(/^\S+ "d\d+" is forbidden: ValidatingAdmissionPolicy '[\w.-]+' with binding '[\w.-]+' denied request: /, "") };
}
