import { afterAll, beforeAll, describe } from "vitest";
import type { Assets } from "./assets.js";
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from "./control-plane.js";
import { registerWebhook, startNetguard, type Netguard, type NetguardOptions } from "./netguard.js";

type Found = Extract<Assets, { ok: true }>;

/** The binaries the global setup found or built, or undefined when the e2e suite is skipped. */
export function e2eAssets(): Found | undefined {
  const dir = process.env["NETGUARD_E2E_ASSETS"];
  if (dir === undefined) return undefined;
  return { ok: true, dir, origin: "cache", kubectl: process.env["NETGUARD_E2E_KUBECTL"] ?? "kubectl" };
}

/** describe() for an e2e file: skipped (the global setup said why, once) when there are no binaries. */
export function describeE2e(name: string, body: () => void): void {
  describe.skipIf(e2eAssets() === undefined)(name, body);
}

/** A control plane for the whole file, with netguard serving and registered; all stopped in afterAll. */
export interface E2eEnvironment {
  readonly plane: () => ControlPlane;
  readonly netguard: () => Netguard;
  /** Stops netguard and starts it again with other options (same CA unless told otherwise), re-registering unless told not to. */
  readonly restartNetguard: (options?: NetguardOptions & { readonly reRegister?: boolean }) => Promise<Netguard>;
}

/** Sets up one control plane and one netguard per test file (not per test). */
export function useE2eEnvironment(options: { readonly controlPlane?: ControlPlaneOptions; readonly netguard?: NetguardOptions } = {}): E2eEnvironment {
  let plane: ControlPlane | undefined;
  let netguard: Netguard | undefined;
  beforeAll(async () => {
    const assets = e2eAssets();
    if (!assets) return;
    plane = await startControlPlane(assets, options.controlPlane);
    netguard = await startNetguard(plane, options.netguard);
    await registerWebhook(plane, netguard, { components: options.netguard?.components });
  }, 180_000);
  afterAll(async () => {
    await netguard?.stop();
    await plane?.stop();
  }, 60_000);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`);
    return value;
  };
  return {
    plane: () => need(plane, "the control plane"),
    netguard: () => need(netguard, "netguard"),
    restartNetguard: async (next = {}) => {
      const current = need(netguard, "netguard");
      await current.stop();
      netguard = await startNetguard(need(plane, "the control plane"), { ca: current.ca, ...options.netguard, ...next });
      if (next.reRegister !== false) await registerWebhook(need(plane, "the control plane"), netguard, { components: next.components ?? options.netguard?.components });
      return netguard;
    },
  };
}
