import { asObject } from "../kube/fields.js";

/**
 * client-node's typed model renames one NetworkPolicy field that is a JavaScript keyword
 * (V1NetworkPolicyIngressRule._from); this puts back the wire name every reader of the object model
 * expects, or a rule with peers would read as one with no `from`. Watch events are already wire JSON.
 */
export function wireNetworkPolicy(policy: unknown): unknown {
  const object = asObject(policy);
  const spec = asObject(object?.["spec"]);
  const ingress = spec?.["ingress"];
  if (object === undefined || spec === undefined || !Array.isArray(ingress)) return policy;
  return { ...object, spec: { ...spec, ingress: ingress.map(wireRule) } };
}

function wireRule(rule: unknown): unknown {
  const entry = asObject(rule);
  if (entry === undefined || !("_from" in entry)) return rule;
  const { _from: from, ...rest } = entry;
  return { ...rest, ...(from === undefined || "from" in entry ? {} : { from }) };
}
