/** A list rendered one element at a time: mapped as it is written, never held mapped all at once. */
export interface LazyList {
  readonly kind: "lazy-list";
  readonly length: number;
  readonly items: () => Iterable<unknown>;
}

/** A LazyList over items, each mapped to its JSON shape when written. */
export function lazyList<T>(items: readonly T[], map: (item: T) => unknown): LazyList {
  return {
    kind: "lazy-list",
    length: items.length,
    items: function* () {
      for (const item of items) yield map(item);
    },
  };
}

/** A top-level object whose values may be LazyLists, as JSON.stringify would print it with two-space indents. */
export type JsonSections = Readonly<Record<string, unknown>>;

/**
 * The text of `JSON.stringify(sections, null, 2)` plus a newline, in pieces: one per top-level value and one per
 * element of each list, so a report of any size is written without the whole of it in one string.
 */
export function* jsonChunks(sections: JsonSections): Generator<string, void, undefined> {
  const entries = Object.entries(sections).filter(([, value]) => value !== undefined);
  if (entries.length === 0) {
    yield "{}\n";
    return;
  }
  yield "{\n";
  for (const [index, [key, value]] of entries.entries()) {
    const comma = index < entries.length - 1 ? "," : "";
    const lead = `  ${JSON.stringify(key)}: `;
    if (!isLazyList(value)) {
      yield `${lead}${indent(JSON.stringify(value, null, 2), "  ")}${comma}\n`;
      continue;
    }
    if (value.length === 0) {
      yield `${lead}[]${comma}\n`;
      continue;
    }
    yield `${lead}[\n`;
    let written = 0;
    for (const item of value.items()) {
      written += 1;
      yield `    ${indent(JSON.stringify(item, null, 2), "    ")}${written < value.length ? "," : ""}\n`;
    }
    yield `  ]${comma}\n`;
  }
  yield "}\n";
}

function isLazyList(value: unknown): value is LazyList {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "lazy-list";
}

function indent(text: string, by: string): string {
  return text.replaceAll("\n", `\n${by}`);
}
