import { expect, it } from "vitest";
import { issue } from "../support/pki.js";
import { createNamespace, waitUntilEnforced } from "./support/netguard.js";
import { waitFor } from "./support/processes.js";
import { describeE2e, useE2eEnvironment } from "./support/suite.js";

const NS = "e2e-faults";
const cleanPod = (name: string): string =>
  JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } });
const policy = JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace: NS }, spec: { podSelector: {} } });

describeE2e("faults with the real API server as the caller", () => {
  const env = useE2eEnvironment({ netguard: { shutdownDelaySeconds: 2 } });
  const kubectl = (args: readonly string[], stdin?: string) => env.plane().kubectl(args, stdin === undefined ? {} : { stdin });
  /** Server dry runs of a clean Pod, one after another, until stopped: every one goes through the webhook. */
  const applyLoop = (prefix: string) => {
    let running = true;
    const runs: { code: number | null; stderr: string }[] = [];
    const done = (async () => {
      for (let i = 0; running; i += 1) runs.push(await kubectl(["create", "--dry-run=server", "-f", "-"], cleanPod(`${prefix}-${String(i)}`)));
    })();
    return {
      runs,
      stop: async () => {
        running = false;
        await done;
        return runs;
      },
    };
  };

  it("netguard stopped: kubectl's exact error under failurePolicy Fail; restarted on the same port: admission resumes with nothing changed on the API server", async () => {
    await createNamespace(env.plane(), NS);
    expect((await kubectl(["apply", "-f", "-"], policy)).code).toBe(0);
    const { port } = env.netguard();
    await env.netguard().stop();
    expect(await kubectl(["create", "-f", "-"], cleanPod("while-down"))).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "workloads.netguard.io": failed to call webhook: ' +
        `Post "https://127.0.0.1:${String(port)}/validate?timeout=3s": dial tcp 127.0.0.1:${String(port)}: connect: connection refused\n`,
    });
    const before = (await kubectl(["get", "validatingwebhookconfiguration", "netguard-validating-webhook", "-o", "jsonpath={.metadata.resourceVersion}"])).stdout;
    await env.restartNetguard({ port, reRegister: false });
    await waitUntilEnforced(env.plane());
    expect(await kubectl(["create", "-f", "-"], cleanPod("after-restart"))).toEqual({ code: 0, stdout: "pod/after-restart created\n", stderr: "" });
    expect((await kubectl(["get", "validatingwebhookconfiguration", "netguard-validating-webhook", "-o", "jsonpath={.metadata.resourceVersion}"])).stdout).toBe(before);
  });

  it("the serving certificate rotated (same CA) while kubectl applies objects: no request fails", async () => {
    const loop = applyLoop("rotate");
    const ca = env.netguard().ca;
    for (let i = 0; i < 3; i += 1) {
      await waitFor("a few requests between rotations", () => (loop.runs.length >= (i + 1) * 4 ? true : undefined), { timeoutMs: 30_000 });
      const reloads = env.netguard().lines().filter((line) => line["msg"] === "serving certificate reloaded").length;
      env.netguard().certs.swap(await issue(ca));
      await waitFor("the reload", () => (env.netguard().lines().filter((line) => line["msg"] === "serving certificate reloaded").length > reloads ? true : undefined), { timeoutMs: 10_000 });
    }
    await waitFor("requests after the last rotation", () => (loop.runs.length >= 16 ? true : undefined), { timeoutMs: 30_000 });
    const runs = await loop.stop();
    expect(runs.filter((run) => run.code !== 0)).toEqual([]);
    expect(runs.length).toBeGreaterThanOrEqual(16);
  });

  it("SIGTERM while requests are in flight: none fails, and the process exits within a second of 'shut down' though its watch is open", async () => {
    const loops = [applyLoop("term-a"), applyLoop("term-b")];
    await waitFor("requests under way", () => (loops.every((loop) => loop.runs.length >= 3) ? true : undefined), { timeoutMs: 30_000 });
    const netguard = env.netguard();
    const exited = new Promise<number>((resolve) => netguard.process.child.once("exit", () => resolve(Date.now())));
    netguard.process.child.kill("SIGTERM");
    // Requests sent during the shutdown delay (readiness off, still serving) are answered too.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const runs = (await Promise.all(loops.map((loop) => loop.stop()))).flat();
    const exitedAt = await exited;
    expect(runs.filter((run) => run.code !== 0)).toEqual([]);
    const shutDown = netguard.lines().find((line) => line["msg"] === "shut down");
    expect(shutDown).toBeDefined();
    expect(exitedAt - Number(shutDown?.["time"])).toBeLessThan(1000);
    expect(netguard.process.child.exitCode).toBe(0);
  });
});
