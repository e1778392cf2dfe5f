import { describe, expect, it } from "vitest";
import { holds } from "../../src/rules/condition.js";
import { allowedHostPort } from "../../src/rules/host-port.js";
import { container, deployment, pod, podSpec, policyWith } from "../builders.js";
import { evaluateManifests, findingsOf } from "../evaluate-helper.js";

describe("host-port", () => {
  it.each([
    ["a container port with hostPort", podSpec({}, [container("web", [{ containerPort: 80, hostPort: 8080 }])]), [{ field: "spec.containers[0].ports[0].hostPort", value: "8080" }]],
    ["an init container hostPort", podSpec({ initContainers: [container("init", [{ containerPort: 53, hostPort: 53 }])] }), [{ field: "spec.initContainers[0].ports[0].hostPort", value: "53" }]],
    ["an ephemeral container hostPort", podSpec({ ephemeralContainers: [container("debug", [{ containerPort: 9, hostPort: 9 }])] }), [{ field: "spec.ephemeralContainers[0].ports[0].hostPort", value: "9" }]],
    ["the second port of the second container", podSpec({}, [container("a"), container("b", [{ containerPort: 1 }, { containerPort: 2, hostPort: 2 }])]), [{ field: "spec.containers[1].ports[1].hostPort", value: "2" }]],
    ["hostNetwork with a hostPort that differs from containerPort", podSpec({ hostNetwork: true }, [container("a", [{ containerPort: 80, hostPort: 81 }])]), [{ field: "spec.containers[0].ports[0].hostPort", value: "81" }]],
  ])("finds %s", (_name, spec, expected) => {
    expect(findingsOf(evaluateManifests([pod("p", spec)]), "host-port")).toEqual(expected);
  });

  it.each([
    ["no hostPort", podSpec({}, [container("a", [{ containerPort: 80 }])])],
    ["hostPort 0", podSpec({}, [container("a", [{ containerPort: 80, hostPort: 0 }])])],
    ["hostNetwork implies hostPort = containerPort (API server defaulting)", podSpec({ hostNetwork: true }, [container("a", [{ containerPort: 9100, hostPort: 9100 }])])],
    ["no ports at all", podSpec({}, [container("a")])],
  ])("passes %s", (_name, spec) => {
    expect(findingsOf(evaluateManifests([pod("p", spec)]), "host-port")).toEqual([]);
  });

  it("finds it in a Deployment template too, naming the container", () => {
    const report = evaluateManifests([deployment("d", podSpec({}, [container("proxy", [{ containerPort: 443, hostPort: 443 }])]))]);
    expect(report.findings.filter((f) => f.rule === "host-port").map((f) => [f.field, f.message])).toEqual([
      ["spec.template.spec.containers[0].ports[0].hostPort", 'container "proxy" uses hostPort 443'],
    ]);
  });

  it("reports a string hostPort as a problem", () => {
    const report = evaluateManifests([pod("p", podSpec({}, [container("a", [{ containerPort: 80, hostPort: "80" }])]))]);
    expect(report.problems.map((p) => p.field)).toEqual(["spec.containers[0].ports[0].hostPort"]);
  });

  describe("allowedHostPorts", () => {
    const ranges = [
      { min: 9100, max: 9100, protocol: undefined },
      { min: 30000, max: 30100, protocol: "UDP" },
    ];
    it.each([
      [9100, "TCP", true],
      [9100, "SCTP", true],
      [9101, "TCP", false],
      [9099, "TCP", false],
      [30000, "UDP", true],
      [30100, "UDP", true],
      [30101, "UDP", false],
      [30050, "TCP", false],
    ])("hostPort %i/%s allowed: %s", (port, protocol, expected) => {
      expect(holds(allowedHostPort(ranges), { hostPort: port, protocol })).toBe(expected);
    });

    it("lets an allowed port through and still reports the others, protocol defaulted to TCP", () => {
      const policy = policyWith({ "host-port": { allowedHostPorts: [{ min: 9100, max: 9100, protocol: "TCP" }] } });
      const spec = podSpec({}, [container("exporter", [{ containerPort: 9100, hostPort: 9100 }, { containerPort: 9101, hostPort: 9101 }, { containerPort: 9100, hostPort: 9100, protocol: "UDP" }])]);
      expect(findingsOf(evaluateManifests([pod("p", spec)], { policy }), "host-port")).toEqual([
        { field: "spec.containers[0].ports[1].hostPort", value: "9101" },
        { field: "spec.containers[0].ports[2].hostPort", value: "9100" },
      ]);
    });

    it("does not touch host-network: an allowed port on a hostNetwork pod is still a host-network finding", () => {
      const policy = policyWith({ "host-port": { allowedHostPorts: [{ min: 1, max: 65535, protocol: undefined }] } });
      const report = evaluateManifests([pod("p", podSpec({ hostNetwork: true }, [container("a", [{ containerPort: 80, hostPort: 81 }])]))], { policy });
      expect(report.findings.map((f) => f.rule)).toEqual(["host-network", "ingress-policy"]);
    });
  });
});
