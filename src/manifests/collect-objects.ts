import type { Problem } from "../engine/types.js";
import { toKubeObject, type KubeObject } from "../kube/object.js";
import { isUnservedNetworkPolicyVersion } from "../kube/network-policy.js";
import { isCalicoTier } from "../kube/coverage/read-coverage-policy.js";
import { sourceOf } from "../kube/coverage/source.js";
import { isRuleSubject } from "../kube/subject.js";
import { manifestItems } from "./parse-manifests.js";
import type { InputError, InputText } from "./read-inputs.js";
import { originOf, type OriginFiles, type OriginOptions } from "./source-origin.js";

/** Objects gathered from manifest inputs, and everything that could not be read as one. */
export interface CollectedObjects {
  readonly objects: KubeObject[];
  readonly problems: Problem[];
}

/** Decodes every input into Kubernetes objects with file:line; unreadable parts become problems. */
export function collectObjects(inputs: readonly InputText[], inputErrors: readonly InputError[], defaultNamespace: string, origins?: OriginOptions): CollectedObjects {
  const collector = createCollector(defaultNamespace, origins);
  for (const error of inputErrors) collector.addError(error);
  for (const input of inputs) collector.add(input);
  return collector.collected;
}

/** Collects input by input: each input's text can be released once it is added (check reads file by file). */
export function createCollector(
  defaultNamespace: string,
  origins?: OriginOptions,
): { add: (input: InputText, options?: { readonly mapOrigins: boolean }) => void; addError: (error: InputError) => void; readonly collected: CollectedObjects } {
  const objects: KubeObject[] = [];
  const problems: Problem[] = [];
  const originFiles: OriginFiles = new Map();
  const add = (input: InputText, options = { mapOrigins: true }): void => {
    const mapping = options.mapOrigins ? origins : undefined;
    // Document by document: what is not kept of one is released before the next is parsed.
    for (const item of manifestItems(input.text)) {
      if (item.error) {
        problems.push({ object: undefined, source: { file: input.file, line: item.error.line }, field: undefined, message: `invalid YAML: ${item.error.message}` });
        continue;
      }
      const document = item.document;
      const object = toKubeObject(document.value, { namespace: defaultNamespace, source: { file: input.file, line: document.line } });
      // Rendered input (helm template, kubectl kustomize) points back at the repository's own files.
      const origin = object.ok ? originOf(object.value, document, { file: input.file, line: document.line, fieldLine: document.fieldLine }, mapping, originFiles) : undefined;
      const source = origin?.source;
      if (object.ok && origin?.refused !== undefined) {
        problems.push({ object: object.value.ref, source: { file: input.file, line: document.line }, field: undefined, message: `not opening ${origin.refused.file}, which the input names as this object's source: ${origin.refused.why}; its findings point at ${input.file}` });
      }
      // Keep the YAML tree (for field lines) only for kinds rules can report on or read coverage from: a
      // big ConfigMap's is dropped.
      if (object.ok && source && (isRuleSubject(object.value) || isCoverageInput(object.value))) {
        objects.push({ ...object.value, source });
        continue;
      }
      if (object.ok && isUnservedNetworkPolicyVersion(object.value)) {
        problems.push({ object: object.value.ref, source: { file: input.file, line: document.line }, field: "apiVersion", message: `${object.value.ref.apiVersion} is not served (NetworkPolicy is networking.k8s.io/v1): kubectl would refuse it; not counted as coverage` });
        continue;
      }
      // No rule reads this kind: keep what reports name (kind, name, file:line), not its body (a big ConfigMap's data).
      if (object.ok) objects.push({ ...object.value, body: {}, annotations: {}, ...(source ? { source: { file: source.file, line: source.line } } : {}) });
      else problems.push({ object: undefined, source: { file: input.file, line: document.line }, field: undefined, message: `${object.error}; document skipped` });
    }
  };
  const addError = (error: InputError): void => {
    problems.push({ object: undefined, source: { file: error.file, line: 0 }, field: undefined, message: error.message });
  };
  return { add, addError, collected: { objects, problems } };
}

/** Policies of the other coverage APIs and Calico Tiers: ingress-policy reads their bodies (core NetworkPolicies are rule subjects). */
function isCoverageInput(object: KubeObject): boolean {
  const source = sourceOf(object.ref.apiVersion, object.ref.kind);
  return (source !== undefined && source !== "networking.k8s.io/NetworkPolicy") || isCalicoTier(object);
}
