import { asObject, asString, isAbsentOrEmpty } from "./fields.js";
import { compileSelector } from "./label-selector.js";

/** A rule that admits every source on every port to the pods its policy selects: isolation in name only. */
export interface OpenIngress {
  /** The policy, as messages name it: `NetworkPolicy "allow-all"`, `CiliumNetworkPolicy shop/web`. */
  readonly policy: string;
  /** The rule's field path: spec.ingress[0], specs[1].ingress[0]. */
  readonly rule: string;
  /** What makes it open, in a few words: "no from, no ports". */
  readonly why: string;
}

/** The one-line text every output uses for an opening rule. */
export function describeOpening(opening: OpenIngress): string {
  return `${opening.policy} ${opening.rule} admits every source on every port (${opening.why})`;
}

/** Which address families a list of CIDRs admits whole (a /0 with no except); both means every address. */
export function wholeFamilies(cidrs: readonly string[]): { v4: boolean; v6: boolean } {
  let v4 = false;
  let v6 = false;
  for (const cidr of cidrs) {
    if (!cidr.endsWith("/0")) continue;
    if (cidr.includes(":")) v6 = true;
    else if (cidr.includes(".")) v4 = true;
  }
  return { v4, v6 };
}

/**
 * The first ingress rule of a NetworkPolicy spec open to every source on every port. A rule with no
 * (or an empty) `from` admits all sources, no (or empty) `ports` all ports (NetworkPolicyIngressRule
 * docs); otherwise its peers must together admit every Pod of every namespace (namespaceSelector {}
 * and no narrowing podSelector) and every address of both families (ipBlock /0 with no except).
 */
export function networkPolicyOpening(spec: Readonly<Record<string, unknown>>, policy: string): OpenIngress | undefined {
  const rules = spec["ingress"];
  if (!Array.isArray(rules)) return undefined;
  for (const [index, value] of rules.entries()) {
    const rule = asObject(value);
    if (rule === undefined || !isAbsentOrEmpty(rule["ports"])) continue;
    const from = rule["from"];
    if (isAbsentOrEmpty(from)) return { policy, rule: `spec.ingress[${String(index)}]`, why: "no from, no ports" };
    if (Array.isArray(from) && peersAdmitEverything(from)) return { policy, rule: `spec.ingress[${String(index)}]`, why: "from every namespace and 0.0.0.0/0 and ::/0, no ports" };
  }
  return undefined;
}

function peersAdmitEverything(peers: readonly unknown[]): boolean {
  let everyPod = false;
  const cidrs: string[] = [];
  for (const value of peers) {
    const peer = asObject(value);
    if (peer === undefined) continue;
    const block = asObject(peer["ipBlock"]);
    if (block !== undefined) {
      const cidr = asString(block["cidr"]);
      if (cidr !== undefined && isAbsentOrEmpty(block["except"])) cidrs.push(cidr);
      continue;
    }
    const namespaces = peer["namespaceSelector"];
    if (namespaces === undefined || namespaces === null) continue;
    const namespaceSelector = compileSelector(namespaces, "namespaceSelector");
    const podSelector = compileSelector(peer["podSelector"], "podSelector");
    if (namespaceSelector.ok && podSelector.ok && namespaceSelector.value.requirements.length === 0 && podSelector.value.requirements.length === 0) everyPod = true;
  }
  const families = wholeFamilies(cidrs);
  return everyPod && families.v4 && families.v6;
}
