import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDir } from "./e2e/support/assets.js";

describe("where the control-plane binaries are cached", () => {
  it.each([
    ["nothing set", {}, join(homedir(), ".cache", "netguard-e2e")],
    ["an empty NETGUARD_E2E_CACHE and XDG_CACHE_HOME count as unset", { NETGUARD_E2E_CACHE: "", XDG_CACHE_HOME: "" }, join(homedir(), ".cache", "netguard-e2e")],
    ["XDG_CACHE_HOME", { XDG_CACHE_HOME: "/var/cache" }, "/var/cache/netguard-e2e"],
    ["NETGUARD_E2E_CACHE", { NETGUARD_E2E_CACHE: "/opt/ng" }, "/opt/ng"],
  ])("%s", (_, env, root) => {
    expect(cacheDir(env).startsWith(`${root}/k8s/`)).toBe(true);
  });

  it("a relative NETGUARD_E2E_CACHE is made absolute (the build runs inside the wrapper modules)", () => {
    expect(isAbsolute(cacheDir({ NETGUARD_E2E_CACHE: "cache" }))).toBe(true);
  });
});
