import type { CoveragePolicy } from "../kube/coverage/source.js";
import type { NetworkPolicyFacts } from "../kube/network-policy.js";
import type { ObjectRef, SourceRef } from "../kube/object.js";
import type { OwnerLookup } from "../kube/owners.js";
import type { Subject } from "../kube/subject.js";
import type { Policy } from "../policy/policy.js";

// The words the policy file and the engine share live in a leaf module, so the policy never imports the engine.
import type { Action, RuleId } from "./rule-id.js";
export type { Action, RuleId } from "./rule-id.js";

/** Which front door is asking; the ingress-policy rule treats admission of workloads specially. */
export type Surface = "admission" | "manifests" | "cluster";

/** NetworkPolicies of one namespace, or why they cannot be known right now. */
export type PolicyLookup =
  | { readonly verified: true; readonly policies: readonly NetworkPolicyFacts[] }
  | { readonly verified: false; readonly reason: string };

/** A namespace's labels, or why they cannot be known here (namespace selectors then match nothing). */
export type NamespaceLabels =
  | { readonly known: true; readonly labels: Readonly<Record<string, string>> }
  | { readonly known: false; readonly reason: string };

/** Policies of Cilium, Calico and the network-policy-api that may select a namespace's pods, and what is missing. */
export interface CoverageLookup {
  /** Namespaced policies of the namespace and every cluster-wide one, of every kind read (enabled or not). */
  readonly policies: readonly CoveragePolicy[];
  /** Why the list may be incomplete (a place these kinds were not read from); undefined when complete. */
  readonly incomplete: string | undefined;
}

/** Facts from outside the object under review: the manifest set, a cluster cache or a live list. */
export interface Inventory {
  networkPolicies(namespace: string): PolicyLookup;
  /** The other coverage APIs' policies; absent where this front door does not read them. */
  readonly coveragePolicies?: (namespace: string) => CoverageLookup;
  /** Namespace labels, for overrides with a namespaceSelector; absent where none are known. */
  readonly namespaceLabels?: (namespace: string) => NamespaceLabels;
  /** The controllers known here, for exemptions that follow ownership; absent where none are known. */
  readonly owners?: OwnerLookup;
}

/** What a rule sees besides the subject. */
export interface RuleContext {
  readonly policy: Policy;
  readonly inventory: Inventory;
  readonly surface: Surface;
  /** Present where violations per object are bounded (the webhook): ask before building each one. */
  readonly budget?: ViolationBudget;
}

/**
 * How many more violations a rule may build for the object under review. take(key) says whether to
 * build this one; past the limit the engine keeps only the key, so a caller that repeats a violating
 * entry 75,000 times costs 75,000 short strings, not 75,000 messages.
 */
export interface ViolationBudget {
  take(key: string): boolean;
}

/** What a rule reports; the engine adds rule id, action, object, fix and source. */
export interface Violation {
  readonly field: string;
  readonly value: string;
  readonly message: string;
  /** Identity across edits of the object (container and port, not list index): UPDATE compares on it. */
  readonly key: string;
  readonly details?: readonly string[];
  /** The strongest action this violation may take, whatever the policy says (e.g. workloads at admission). */
  readonly maxAction?: Action;
}

/** A rule: metadata in one place and a pure check. */
export interface Rule {
  readonly id: RuleId;
  readonly title: string;
  readonly summary: string;
  readonly fix: string;
  readonly help: string;
  /** GitHub code scanning's CVSS-style score (0.0-10.0) for the rule's alerts. */
  readonly securitySeverity: string;
  check(subject: Subject, context: RuleContext): readonly Violation[];
}

/** A violation in full context, the unit every output renders. */
export interface Finding {
  readonly rule: RuleId;
  readonly action: Action;
  /** The policy's action when the violation's cap lowered it (a workload's coverage finding at admission). */
  readonly cappedFrom?: Action;
  readonly object: ObjectRef;
  readonly field: string;
  readonly value: string;
  readonly message: string;
  readonly fix: string;
  readonly key: string;
  readonly details: readonly string[];
  readonly source?: SourceRef;
  /** The policy override that set this finding's action; absent when the rule's own action stands. */
  readonly override?: AppliedOverride;
}

/** Which override set an action, as every output names it. */
export interface AppliedOverride {
  /** Position in the policy's overrides list. */
  readonly index: number;
  readonly reason: string | undefined;
  /** The override's namespaces and selector, as shown: "dev-*", "namespaces labelled env=dev". */
  readonly scope: string;
}

/** An override with a namespaceSelector left out for a namespace whose labels are unknown: said, never silent. */
export interface UnappliedOverride {
  readonly namespace: string;
  readonly override: AppliedOverride;
  /** Why the labels are unknown. */
  readonly why: string;
}

/** Where an exemption came from. */
export type ExemptionOrigin = "policy" | "annotation";

/** A finding that an exemption waived, kept so reports can show what was waived and why. */
export interface WaivedFinding {
  readonly finding: Finding;
  readonly reason: string;
  readonly origin: ExemptionOrigin;
}

/** An exemption that would have waived a finding but has expired; the finding stands. */
export interface ExpiredExemption {
  readonly rule: RuleId;
  readonly object: ObjectRef;
  readonly reason: string;
  readonly expires: string;
}

/** Input that could not be read as Kubernetes would read it: reported, never skipped silently. */
export interface Problem {
  readonly object: ObjectRef | undefined;
  readonly source: SourceRef | undefined;
  readonly field: string | undefined;
  readonly message: string;
}

/** The outcome of one evaluation, rendered by every front door. */
export interface Report {
  readonly objects: number;
  readonly findings: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
  readonly expired: readonly ExpiredExemption[];
  readonly problems: readonly Problem[];
  readonly unappliedOverrides: readonly UnappliedOverride[];
}

/** Orders actions by strength, deny strongest. */
export const ACTION_STRENGTH: Readonly<Record<Action, number>> = { audit: 0, warn: 1, deny: 2 };
