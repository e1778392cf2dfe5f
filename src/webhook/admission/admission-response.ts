import type { ReviewVersion } from "./admission-review.js";

/** An AdmissionResponse: never patch or patchType, which a validating webhook must not send. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/** Allows, optionally with warnings and audit annotations (empty ones are left out). */
export function allowed(uid: string, warnings: readonly string[] = [], auditAnnotations: Readonly<Record<string, string>> = {}): AdmissionResponse {
  if (warnings.length === 0 && Object.keys(auditAnnotations).length === 0) return { uid, allowed: true };
  return {
    uid,
    allowed: true,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(Object.keys(auditAnnotations).length > 0 ? { auditAnnotations } : {}),
  };
}

/** Denies with 403 Forbidden: set explicitly so every API server version shows the same text. */
export function denied(uid: string, message: string, warnings: readonly string[] = [], auditAnnotations: Readonly<Record<string, string>> = {}): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: { code: 403, reason: "Forbidden", message },
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(Object.keys(auditAnnotations).length > 0 ? { auditAnnotations } : {}),
  };
}

/** An internal error: a generic message on the wire, the details only in the logs. */
export function errored(uid: string): AdmissionResponse {
  return { uid, allowed: false, status: { code: 500, reason: "InternalError", message: "netguard: internal error while reviewing this request; see the webhook logs" } };
}

/** Wraps a response in the AdmissionReview envelope of the version the request came in. */
export function toReview(apiVersion: ReviewVersion, response: AdmissionResponse): { apiVersion: ReviewVersion; kind: "AdmissionReview"; response: AdmissionResponse } {
  return { apiVersion, kind: "AdmissionReview", response };
}
