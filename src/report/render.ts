import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import type { RenderInput } from "./render-input.js";
import { renderSarif } from "./sarif.js";
import { renderText } from "./text.js";

/** The output formats `check` and `audit` share. */
export type OutputFormat = "text" | "json" | "sarif" | "junit";

/** The formats, for argument validation and help text. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["text", "json", "sarif", "junit"];

/** Renders a report in one of the shared formats. */
export function render(format: OutputFormat, input: RenderInput): string {
  switch (format) {
    case "text":
      return renderText(input);
    case "json":
      return renderJson(input);
    case "sarif":
      return renderSarif(input);
    case "junit":
      return renderJunit(input);
  }
}
