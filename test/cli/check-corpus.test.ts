import { describe, expect, it } from "vitest";
import { HAS_CORPUS, KUBE_PROMETHEUS, NO_CORPUS } from "../shared-corpus.js";
import { check } from "./run-cli.js";

if (!HAS_CORPUS) console.warn(NO_CORPUS);

describe.skipIf(!HAS_CORPUS)("netguard check on the kube-prometheus manifests", () => {
  it("finds exactly what the upstream manifests deserve", async () => {
    const run = await check(["--output", "json", KUBE_PROMETHEUS]);
    const body = JSON.parse(run.stdout);
    // Worked out by reading the files: every Deployment and the DaemonSet has an Ingress+Egress
    // NetworkPolicy matching its template labels; node-exporter runs with hostNetwork (its hostPort 9100
    // equals its containerPort, so it is implied, not a host-port finding); the alertmanager policy
    // admits 9094/UDP for cluster gossip. Every Service port is TCP (absent protocol).
    expect(body.findings.map((f: Record<string, unknown>) => [f.rule, (f.object as { kind: string }).kind, (f.object as { name: string }).name, f.field, f.value])).toEqual([
      ["tcp-only", "NetworkPolicy", "alertmanager-main", "spec.ingress[1].ports[1].protocol", "UDP"],
      ["host-network", "DaemonSet", "node-exporter", "spec.template.spec.hostNetwork", "true"],
    ]);
    expect(body.problems).toEqual([]);
    expect(body.summary.objects).toBe(125);
    expect(run.code).toBe(1);
  });
});
