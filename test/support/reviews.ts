/** Builds an AdmissionReview request body as the API server sends it. */
export function admissionReview(
  object: Record<string, unknown> | null,
  options: {
    operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
    oldObject?: Record<string, unknown> | null;
    uid?: string;
    apiVersion?: string;
    dryRun?: boolean;
    subResource?: string;
    namespace?: string;
  } = {},
): Record<string, unknown> {
  const source = object ?? options.oldObject ?? {};
  const apiVersion = typeof source["apiVersion"] === "string" ? source["apiVersion"] : "v1";
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const metadata = (source["metadata"] ?? {}) as Record<string, unknown>;
  return {
    apiVersion: options.apiVersion ?? "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: options.uid ?? "705ab4f5-6393-11e8-b7cc-42010a800002",
      kind: { group, version, kind: source["kind"] },
      resource: { group, version, resource: `${String(source["kind"]).toLowerCase()}s` },
      requestKind: { group, version, kind: source["kind"] },
      requestResource: { group, version, resource: `${String(source["kind"]).toLowerCase()}s` },
      ...(options.subResource ? { subResource: options.subResource } : {}),
      name: metadata["name"] ?? "",
      namespace: options.namespace ?? metadata["namespace"] ?? "default",
      operation: options.operation ?? "CREATE",
      userInfo: { username: "alice", uid: "u-1", groups: ["system:authenticated"], extra: {} },
      object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  };
}
