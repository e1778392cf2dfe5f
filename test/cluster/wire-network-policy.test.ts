import type { V1NetworkPolicyIngressRule } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { wireNetworkPolicy } from "../../src/cluster/wire-network-policy.js";
import { readNetworkPolicy } from "../../src/kube/network-policy.js";
import { toKubeObject } from "../../src/kube/object.js";

// The name client-node's model gives the field: a rename in the library fails to compile here.
const TYPED_FROM: keyof V1NetworkPolicyIngressRule = "_from";

const typed = {
  metadata: { name: "web", namespace: "shop" },
  spec: {
    podSelector: {},
    ingress: [{ [TYPED_FROM]: [{ podSelector: { matchLabels: { app: "lb" } } }, { ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 80 }] }],
    egress: [{ to: [{ ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }] }],
  },
};

describe("wireNetworkPolicy", () => {
  it("puts back from, which the typed client names _from (ipBlock.except keeps its name: the model type says so)", () => {
    expect(wireNetworkPolicy(typed)).toEqual({
      metadata: { name: "web", namespace: "shop" },
      spec: {
        podSelector: {},
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "lb" } } }, { ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 80 }] }],
        egress: [{ to: [{ ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }] }],
      },
    });
  });

  it("leaves wire JSON (a watch event) as it is", () => {
    const wire = { metadata: { name: "web" }, spec: { ingress: [{ from: [{ ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }] }, {}] } };
    expect(wireNetworkPolicy(wire)).toEqual(wire);
  });

  it("without it a typed rule with peers would read as a rule with no from: open to everyone", () => {
    const read = (value: unknown) => {
      const object = toKubeObject({ ...(value as object), apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }, { namespace: undefined });
      if (!object.ok) throw new Error(object.error);
      return readNetworkPolicy(object.value, "shop").opening;
    };
    const narrowed = { ...typed, spec: { podSelector: {}, ingress: [{ [TYPED_FROM]: [{ podSelector: {} }] }] } };
    expect(read(narrowed)?.why).toBe("no from, no ports");
    expect(read(wireNetworkPolicy(narrowed))).toBeUndefined();
  });
});
