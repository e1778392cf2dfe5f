import { describe, expect, it } from "vitest";
import { wantsColour } from "../../src/cli/colour.js";

describe("wantsColour", () => {
  it.each<[string, boolean, Record<string, string | undefined>, boolean]>([
    ["a terminal", true, {}, true],
    ["a pipe or a file", false, {}, false],
    ["NO_COLOR set to anything", true, { NO_COLOR: "1" }, false],
    ["NO_COLOR set but empty counts as unset (no-color.org)", true, { NO_COLOR: "" }, true],
    ["TERM=dumb", true, { TERM: "dumb" }, false],
    ["another TERM", true, { TERM: "xterm-256color" }, true],
  ])("%s", (_name, isTerminal, env, expected) => {
    expect(wantsColour(isTerminal, env)).toBe(expected);
  });
});
