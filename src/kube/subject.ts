import { isNetworkPolicy, readNetworkPolicy, readPolicyPorts, type NetworkPolicyFacts, type PolicyPortView } from "./network-policy.js";
import type { KubeObject } from "./object.js";
import { isPodBearing, readPod, type PodView } from "./pod-template.js";
import type { FieldProblem } from "./problem.js";
import { isService, readServicePorts, type ServicePortView } from "./service.js";

/** An object with every view the rules read, read once and shared by all rules. */
export interface Subject {
  readonly object: KubeObject;
  readonly pod: PodView | undefined;
  readonly servicePorts: readonly ServicePortView[];
  readonly policyPorts: readonly PolicyPortView[];
  readonly networkPolicy: NetworkPolicyFacts | undefined;
}

/** Whether any rule reads this object: pod-bearing kinds, Services and NetworkPolicies. */
export function isRuleSubject(object: KubeObject): boolean {
  return isPodBearing(object.ref.apiVersion, object.ref.kind) || isService(object) || isNetworkPolicy(object);
}

/** Reads the views of an object; fields that cannot be read come back as problems. */
export function readSubject(object: KubeObject, defaultNamespace: string): { subject: Subject; problems: FieldProblem[] } {
  const pod = readPod(object);
  const problems: FieldProblem[] = pod.problems.length === 0 ? [] : [...pod.problems];
  let servicePorts: readonly ServicePortView[] = [];
  if (isService(object)) {
    const read = readServicePorts(object);
    servicePorts = read.ports;
    for (const problem of read.problems) problems.push(problem);
  }
  let policyPorts: readonly PolicyPortView[] = [];
  let networkPolicy: NetworkPolicyFacts | undefined;
  if (isNetworkPolicy(object)) {
    const read = readPolicyPorts(object);
    policyPorts = read.ports;
    for (const problem of read.problems) problems.push(problem);
    networkPolicy = readNetworkPolicy(object, defaultNamespace);
    if (!networkPolicy.podSelector.ok) problems.push({ field: "spec.podSelector", message: networkPolicy.podSelector.error });
    if (networkPolicy.policyTypesError !== undefined) problems.push({ field: "spec.policyTypes", message: networkPolicy.policyTypesError });
  }
  return { subject: { object, pod: pod.pod, servicePorts, policyPorts, networkPolicy }, problems };
}
