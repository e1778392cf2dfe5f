import { describe, expect, it } from "vitest";
import { asStringMap } from "../../src/kube/fields.js";

describe("asStringMap", () => {
  it.each([
    ["all strings", { app: "web", "app.kubernetes.io/name": "grafana" }, { app: "web", "app.kubernetes.io/name": "grafana" }],
    ["empty", {}, {}],
    ["non-string values dropped, strings kept", { app: "web", replicas: 3, on: true, nested: { a: "b" }, none: null }, { app: "web" }],
    ["a list is not a map", ["a", "b"], {}],
    ["null", null, {}],
    ["absent", undefined, {}],
    ["a string", "app=web", {}],
  ])("%s", (_name, value, expected) => {
    expect(asStringMap(value)).toEqual(expected);
  });
});
