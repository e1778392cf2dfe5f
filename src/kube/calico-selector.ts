/**
 * Calico's selector language (libcalico-go lib/selector): parsed here, evaluated over a label map.
 * Precedence from low to high: ||, &&, prefix !, one operation. Whitespace is space and tab only; an
 * empty selector is all(). Strings are quoted with ' or " and have no escapes.
 */

/** A parsed selector. */
export type CalicoSelector =
  | { readonly op: "all" }
  | { readonly op: "has"; readonly label: string }
  | { readonly op: "eq" | "ne" | "contains" | "starts" | "ends"; readonly label: string; readonly value: string }
  | { readonly op: "in" | "notin"; readonly label: string; readonly values: readonly string[] }
  | { readonly op: "not"; readonly selector: CalicoSelector }
  | { readonly op: "and" | "or"; readonly left: CalicoSelector; readonly right: CalicoSelector };

/** A selector or why Calico refuses it (the policy it belongs to is then rejected). */
export type ParsedSelector = { readonly ok: true; readonly value: CalicoSelector } | { readonly ok: false; readonly error: string };

const MAX_LABEL = 512;
/** Deeper nesting than this is refused rather than risking the stack: no real selector comes close. */
const MAX_DEPTH = 100;
const LABEL_CHAR = /[A-Za-z0-9_./-]/;

/** Thrown inside the parser only, caught at its entry: a refused selector is a value, never an exception. */
type Refusal = Error & { readonly refused: true };

function isRefusal(value: unknown): value is Refusal {
  return value instanceof Error && "refused" in value;
}

/** Parses a selector; every error names the position and what was expected. */
export function parseCalicoSelector(text: string): ParsedSelector {
  let at = 0;
  const fail = (message: string): never => {
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw Object.assign(new Error(`${message} at character ${String(at + 1)} of ${JSON.stringify(shown)}`), { refused: true as const });
  };
  const skipSpace = (): void => {
    while (text[at] === " " || text[at] === "\t") at += 1;
  };
  const take = (token: string): boolean => {
    if (!text.startsWith(token, at)) return false;
    at += token.length;
    return true;
  };
  const label = (): string => {
    const start = at;
    while (at < text.length && LABEL_CHAR.test(text[at] ?? "")) at += 1;
    if (at === start) fail("expected a label");
    if (at - start > MAX_LABEL) fail(`a label longer than ${String(MAX_LABEL)} characters`);
    return text.slice(start, at);
  };
  const quoted = (): string => {
    skipSpace();
    const quote = text[at];
    if (quote !== "'" && quote !== '"') return fail("expected a quoted string");
    const end = text.indexOf(quote, at + 1);
    if (end < 0) fail("unterminated string");
    const value = text.slice(at + 1, end);
    at = end + 1;
    return value;
  };
  const set = (): string[] => {
    skipSpace();
    if (!take("{")) fail('expected "{"');
    const values: string[] = [];
    for (;;) {
      skipSpace();
      if (take("}")) return values;
      values.push(quoted());
      skipSpace();
      if (take("}")) return values;
      if (!take(",")) fail('expected "," or "}"');
    }
  };
  // A keyword operator, the two-word forms joined ("not in" → "notin"), ending at a word boundary.
  const keyword = (): string | undefined => {
    const match = /^(in|not[ \t]*in|contains|starts[ \t]*with|ends[ \t]*with)(?![A-Za-z0-9_./-])/.exec(text.slice(at, at + 40));
    if (!match?.[1]) return undefined;
    at += match[1].length;
    return match[1].replace(/[ \t]/g, "");
  };
  const comparison = (name: string): CalicoSelector => {
    if (take("==")) return { op: "eq", label: name, value: quoted() };
    if (take("!=")) return { op: "ne", label: name, value: quoted() };
    switch (keyword()) {
      case "in":
        return { op: "in", label: name, values: set() };
      case "notin":
        return { op: "notin", label: name, values: set() };
      case "contains":
        return { op: "contains", label: name, value: quoted() };
      case "startswith":
        return { op: "starts", label: name, value: quoted() };
      case "endswith":
        return { op: "ends", label: name, value: quoted() };
      case undefined:
      default:
        return fail("expected an operator after the label (==, !=, in, not in, contains, starts with, ends with)");
    }
  };
  const primary = (depth: number): CalicoSelector => {
    if (at >= text.length) fail("expected a label, has(), all() or (");
    if (take("(")) {
      const inner = or(depth + 1);
      skipSpace();
      if (!take(")")) fail('expected ")"');
      return inner;
    }
    if (take("has(")) {
      skipSpace();
      const name = label();
      skipSpace();
      if (!take(")")) fail('expected ")" after the label in has(');
      return { op: "has", label: name };
    }
    for (const call of ["all(", "global("]) {
      if (take(call)) {
        skipSpace();
        if (!take(")")) fail(`expected ")" to close ${call}`);
        return { op: "all" };
      }
    }
    const name = label();
    skipSpace();
    return comparison(name);
  };
  const operation = (depth: number): CalicoSelector => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${String(MAX_DEPTH)}`);
    skipSpace();
    // A run of "!" collapses to its parity.
    let negations = 0;
    while (text[at] === "!" && text[at + 1] !== "=") {
      at += 1;
      negations += 1;
      skipSpace();
    }
    const inner = primary(depth);
    return negations % 2 === 1 ? { op: "not", selector: inner } : inner;
  };
  const and = (depth: number): CalicoSelector => {
    let left = operation(depth);
    for (;;) {
      skipSpace();
      if (!take("&&")) return left;
      left = { op: "and", left, right: operation(depth) };
    }
  };
  function or(depth: number): CalicoSelector {
    let left = and(depth);
    for (;;) {
      skipSpace();
      if (!take("||")) return left;
      left = { op: "or", left, right: and(depth) };
    }
  }
  try {
    skipSpace();
    if (at >= text.length) return { ok: true, value: { op: "all" } };
    const value = or(0);
    skipSpace();
    if (at < text.length) fail("unexpected text after the selector");
    return { ok: true, value };
  } catch (error) {
    if (isRefusal(error)) return { ok: false, error: error.message };
    throw error;
  }
}

/** Whether a label map satisfies a selector. */
export function calicoSelects(selector: CalicoSelector, labels: Readonly<Record<string, string>>): boolean {
  const value = (label: string): string | undefined => (Object.hasOwn(labels, label) ? labels[label] : undefined);
  switch (selector.op) {
    case "all":
      return true;
    case "has":
      return value(selector.label) !== undefined;
    case "eq":
      return value(selector.label) === selector.value;
    case "ne":
      return value(selector.label) !== selector.value;
    case "contains":
      return value(selector.label)?.includes(selector.value) ?? false;
    case "starts":
      return value(selector.label)?.startsWith(selector.value) ?? false;
    case "ends":
      return value(selector.label)?.endsWith(selector.value) ?? false;
    case "in": {
      const found = value(selector.label);
      return found !== undefined && selector.values.includes(found);
    }
    case "notin": {
      const found = value(selector.label);
      return found === undefined || !selector.values.includes(found);
    }
    case "not":
      return !calicoSelects(selector.selector, labels);
    case "and":
      return calicoSelects(selector.left, labels) && calicoSelects(selector.right, labels);
    case "or":
      return calicoSelects(selector.left, labels) || calicoSelects(selector.right, labels);
  }
}

/** ANDs two selectors (Calico scopes a namespaced policy's selector this way). */
export function andSelectors(left: CalicoSelector, right: CalicoSelector): CalicoSelector {
  return { op: "and", left, right };
}

/** Every label a selector reads, for telling what it can depend on. */
export function selectorLabels(selector: CalicoSelector): string[] {
  switch (selector.op) {
    case "all":
      return [];
    case "not":
      return selectorLabels(selector.selector);
    case "and":
    case "or":
      return [...selectorLabels(selector.left), ...selectorLabels(selector.right)];
    case "has":
    case "eq":
    case "ne":
    case "contains":
    case "starts":
    case "ends":
    case "in":
    case "notin":
      return [selector.label];
  }
}
