import { describe, expect, it } from "vitest";
import { container, deployment, pod, podSpec } from "../builders.js";
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
});
