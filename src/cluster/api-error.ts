import { asObject, asString } from "../kube/fields.js";

/** A short text for a client-node error: the HTTP code and the API server's Status message, or the network cause; no stack. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = apiStatusOf(error);
  if (code !== undefined) {
    const body = "body" in error ? error.body : undefined;
    let status: unknown = body;
    if (typeof body === "string") {
      try {
        status = JSON.parse(body);
      } catch {
        status = undefined;
      }
    }
    const message = asString(asObject(status)?.["message"]);
    return message ? `HTTP ${String(code)}: ${message}` : `HTTP ${String(code)}`;
  }
  const cause = asObject(error.cause);
  const causeText = asString(cause?.["code"]) ?? asString(cause?.["message"]);
  const first = error.message.split("\n")[0] ?? error.message;
  return causeText ? `${first} (${causeText})` : first;
}

/** The HTTP status of a client-node API error; undefined when the API server was never reached. */
export function apiStatusOf(error: unknown): number | undefined {
  if (error instanceof Error && "code" in error && typeof error.code === "number") return error.code;
  return undefined;
}
