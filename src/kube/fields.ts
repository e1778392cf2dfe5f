/** A JSON object as it arrives from YAML, JSON or the wire: nothing is trusted yet. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Narrows a value to a plain (non-array) object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns the value when it is a plain object, else undefined. */
export function asObject(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

/** Absent, null or an empty list: how Kubernetes APIs read a list field that says nothing ("all ports", "all sources"). */
export function isAbsentOrEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** Returns the value when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Reads a string-to-string map (labels, annotations); non-string values are dropped. */
export function asStringMap(value: unknown): Readonly<Record<string, string>> {
  if (!isObject(value)) return {};
  // Nearly always every value is a string: hand the decoded object back (it is only ever read) instead
  // of copying it, which on every admission request built new hidden classes key by key.
  if (allStrings(value)) return value;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === "string") out[key] = entry;
  }
  return out;
}

/** Values in messages are cut here: a label value or a bogus port can be megabytes long. */
const SHOWN_MAX = 80;

/** Renders a value for a message: strings quoted, everything else as JSON, at most about 80 characters. */
export function showValue(value: unknown): string {
  if (value === undefined) return "absent";
  const text = JSON.stringify(typeof value === "string" && value.length > SHOWN_MAX ? value.slice(0, SHOWN_MAX) : value) ?? typeof value;
  return text.length <= SHOWN_MAX ? text : `${text.slice(0, SHOWN_MAX - 1)}…`;
}

function allStrings(value: JsonObject): value is Readonly<Record<string, string>> {
  for (const key in value) if (typeof value[key] !== "string") return false;
  return true;
}
