import { TEMPLATE_LOCATIONS } from "../kube/pod-template.js";
import type { SiteId } from "../rules/sites.js";

/** One resource rule of a policy's matchConstraints. */
export interface ResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly string[];
  readonly resources: readonly string[];
}

/**
 * A set of kinds whose objects have the same shape where the rules look, so one policy's CEL
 * type-checks against all of them: the pod-bearing kinds grouped by where their pod spec sits,
 * Services, NetworkPolicies.
 */
export interface Scope {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly sites: readonly SiteId[];
  readonly resourceRules: readonly ResourceRule[];
  /** The pod spec's path from the object root (pod-bearing kinds only). */
  readonly podSpecPath: readonly string[] | undefined;
}

const OPERATIONS = ["CREATE", "UPDATE"];

/** Every scope, derived from the engine's own table of pod template locations. */
export function scopes(): Scope[] {
  const byPath = new Map<string, { kinds: string[]; path: readonly string[] }>();
  for (const [kind, location] of Object.entries(TEMPLATE_LOCATIONS)) {
    const key = location.path.join(".");
    const entry = byPath.get(key) ?? { kinds: [], path: location.path };
    entry.kinds.push(kind);
    byPath.set(key, entry);
  }
  const templated = [...byPath.values()].map(({ kinds, path }): Scope => {
    const groups = new Map<string, string[]>();
    for (const kind of kinds) {
      const location = TEMPLATE_LOCATIONS[kind];
      if (location === undefined) continue;
      // The first group is the one served today (extensions/v1beta1 is long gone from the API server).
      const group = location.groups[0] ?? "";
      const resources = groups.get(group) ?? [];
      resources.push(location.resource);
      // An ephemeral container reaches a Pod only through this subresource.
      if (kind === "Pod") resources.push("pods/ephemeralcontainers");
      groups.set(group, resources);
    }
    const first = TEMPLATE_LOCATIONS[kinds[0] ?? ""];
    return {
      name: kinds.length === 1 && first ? first.resource : "workloads",
      kinds,
      sites: ["pod-spec", "container-port"],
      resourceRules: [...groups].map(([group, resources]) => ({ apiGroups: [group], apiVersions: ["v1"], operations: OPERATIONS, resources })),
      podSpecPath: [...path, "spec"],
    };
  });
  return [
    ...templated,
    { name: "services", kinds: ["Service"], sites: ["service-port"], resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: OPERATIONS, resources: ["services"] }], podSpecPath: undefined },
    {
      name: "networkpolicies",
      kinds: ["NetworkPolicy"],
      sites: ["policy-port"],
      resourceRules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: OPERATIONS, resources: ["networkpolicies"] }],
      podSpecPath: undefined,
    },
  ];
}
