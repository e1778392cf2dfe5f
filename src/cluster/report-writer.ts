import { KubernetesObjectApi, PatchStrategy, V1DeleteOptions, V1Preconditions, type KubeConfig } from "@kubernetes/client-node";
import { MANAGED_BY, REPORT_KINDS, REPORT_NAME, type ReportApi, type ReportObject } from "../report/policy-report.js";
import { apiStatusOf, describeApiError } from "./api-error.js";
import { PAGE_SIZE } from "./list-cluster.js";

/** The field manager of every report netguard applies: what tells its fields from other writers'. */
export const FIELD_MANAGER = "netguard";

/** What a run wrote: each report by kind and namespace/name, and each error, worded for a log. */
export interface ReportWriteOutcome {
  readonly applied: readonly string[];
  readonly deleted: readonly string[];
  readonly errors: readonly string[];
}

/** Where the writer works and whether it may delete: only after a complete listing, never on a partial one. */
export interface ReportWriteOptions {
  readonly api: ReportApi;
  /** One namespace's report (audit --namespace): stale reports are looked for there only. */
  readonly namespace: string | undefined;
  readonly deleteStale: boolean;
}

/**
 * Applies netguard's reports by server-side apply (field manager netguard, never forced: a field another
 * manager owns is a conflict, reported), then deletes the reports netguard owns that this run did not
 * write: named netguard, labelled managed-by netguard, and applied by its field manager. Reports of other
 * tools are never read for writing, patched or deleted.
 */
export async function writeReports(config: KubeConfig, reports: readonly ReportObject[], options: ReportWriteOptions): Promise<ReportWriteOutcome> {
  const client = KubernetesObjectApi.makeApiClient(config);
  const applied: string[] = [];
  const deleted: string[] = [];
  const errors: string[] = [];
  const written = new Set<string>();
  for (const report of reports) {
    const name = describe(report.kind, report.metadata.namespace, report.metadata.name);
    try {
      await client.patch(report, undefined, undefined, FIELD_MANAGER, false, PatchStrategy.ServerSideApply);
      applied.push(`${name}: ${summaryText(report)}`);
      written.add(name);
    } catch (error) {
      errors.push(`cannot apply ${name}: ${explain(error, options.api)}`);
      // Without the API nothing else can be written or found stale: one line says so.
      if (notServed(error)) return { applied, deleted, errors };
    }
  }
  if (!options.deleteStale) return { applied, deleted, errors };
  const kinds = options.namespace === undefined ? [REPORT_KINDS[options.api].namespaced, REPORT_KINDS[options.api].cluster] : [REPORT_KINDS[options.api].namespaced];
  for (const kind of kinds) {
    let cont: string | undefined;
    try {
      do {
        const page = await client.list(options.api, kind, options.namespace, undefined, undefined, undefined, undefined, selector(), PAGE_SIZE, cont);
        for (const item of page.items) {
          const name = describe(kind, item.metadata?.namespace, item.metadata?.name ?? "");
          if (item.metadata?.name !== REPORT_NAME || written.has(name) || !item.metadata.managedFields?.some((field) => field.manager === FIELD_MANAGER)) continue;
          try {
            // The uid precondition: only the report that was listed, never one created since under its name.
            const preconditions = Object.assign(new V1Preconditions(), { uid: item.metadata.uid ?? "" });
            await client.delete({ apiVersion: options.api, kind, metadata: item.metadata }, undefined, undefined, undefined, undefined, undefined, Object.assign(new V1DeleteOptions(), { preconditions }));
            deleted.push(name);
          } catch (error) {
            if (apiStatusOf(error) !== 404) errors.push(`cannot delete ${name}: ${explain(error, options.api)}`);
          }
        }
        cont = page.metadata?._continue || undefined;
      } while (cont !== undefined);
    } catch (error) {
      errors.push(`cannot list ${kind} (${options.api}) to find stale reports: ${explain(error, options.api)}`);
    }
  }
  return { applied, deleted, errors };
}

function selector(): string {
  return Object.entries(MANAGED_BY)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

function describe(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

function summaryText(report: ReportObject): string {
  const { fail, warn, error, skip } = report.summary;
  return `${String(fail)} fail, ${String(warn)} warn, ${String(error)} error, ${String(skip)} skip`;
}

/** The API server's words, or what to do when the report API is not installed (client-node's discovery finds no such kind, or the API server answers a bare 404 while its discovery catches up). */
function explain(error: unknown, api: ReportApi): string {
  return notServed(error) ? `${api} is not served by this cluster: install its CRDs, or choose another API with --report-api` : describeApiError(error);
}

function notServed(error: unknown): boolean {
  return (error instanceof Error && error.message.startsWith("Unrecognized API version and kind")) || (apiStatusOf(error) === 404 && describeApiError(error) === "HTTP 404");
}
