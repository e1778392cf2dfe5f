import { describe, expect, it } from "vitest";
import { container, deployment, networkPolicy, pod, podSpec, policyWith, service } from "../builders.js";
import { evaluateManifests, findingsOf } from "../evaluate-helper.js";

describe("tcp-only", () => {
  it.each([
    ["a UDP container port", pod("p", podSpec({}, [container("dns", [{ containerPort: 53, protocol: "UDP" }])])), [{ field: "spec.containers[0].ports[0].protocol", value: "UDP" }]],
    ["an SCTP init container port", pod("p", podSpec({ initContainers: [container("i", [{ containerPort: 9, protocol: "SCTP" }])] })), [{ field: "spec.initContainers[0].ports[0].protocol", value: "SCTP" }]],
    ["a UDP port in a Deployment", deployment("d", podSpec({}, [container("a", [{ containerPort: 53, protocol: "UDP" }])])), [{ field: "spec.template.spec.containers[0].ports[0].protocol", value: "UDP" }]],
    ["a UDP Service port", service("s", [{ port: 80 }, { name: "dns", port: 53, protocol: "UDP" }]), [{ field: "spec.ports[1].protocol", value: "UDP" }]],
    ["a UDP NetworkPolicy ingress port", networkPolicy("np", { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }), [{ field: "spec.ingress[0].ports[0].protocol", value: "UDP" }]],
    ["an SCTP NetworkPolicy egress port", networkPolicy("np", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP" }, { port: 9, protocol: "SCTP" }] }] }), [{ field: "spec.egress[0].ports[1].protocol", value: "SCTP" }]],
  ])("finds %s", (_name, manifest, expected) => {
    expect(findingsOf(evaluateManifests([manifest]), "tcp-only")).toEqual(expected);
  });

  it.each([
    ["absent protocol on a container port (defaults to TCP)", pod("p", podSpec({}, [container("a", [{ containerPort: 80 }])]))],
    ["explicit TCP", pod("p", podSpec({}, [container("a", [{ containerPort: 80, protocol: "TCP" }])]))],
    ["a Service with no protocol", service("s", [{ port: 80 }])],
    ["a NetworkPolicy port with no protocol", networkPolicy("np", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })],
  ])("passes %s", (_name, manifest) => {
    expect(findingsOf(evaluateManifests([manifest]), "tcp-only")).toEqual([]);
  });

  it("allows what the policy lists in allowedProtocols", () => {
    const policy = policyWith({ "tcp-only": { allowedProtocols: ["TCP", "UDP"] } });
    const manifests = [service("s", [{ port: 53, protocol: "UDP" }, { port: 9, protocol: "SCTP" }])];
    expect(findingsOf(evaluateManifests(manifests, { policy }), "tcp-only")).toEqual([{ field: "spec.ports[1].protocol", value: "SCTP" }]);
  });

  it("reports an absent protocol when TCP itself is not allowed, marked as the default", () => {
    const policy = policyWith({ "tcp-only": { allowedProtocols: ["UDP"] } });
    expect(findingsOf(evaluateManifests([pod("p")], { policy }), "tcp-only")).toEqual([{ field: "spec.containers[0].ports[0].protocol", value: "TCP (default)" }]);
  });
});
