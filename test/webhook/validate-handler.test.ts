import { describe, expect, it } from "vitest";
import { cachedDay } from "../../src/webhook/validate-handler.js";

describe("cachedDay", () => {
  it("reads the clock each call but formats the day at most once a minute, and follows the clock across days and backwards", () => {
    let now = Date.parse("2026-11-24T23:59:30Z");
    let reads = 0;
    const day = cachedDay(() => {
      reads += 1;
      return now;
    });
    expect(day()).toBe("2026-11-24");
    now = Date.parse("2026-11-24T23:59:59Z");
    expect(day()).toBe("2026-11-24");
    now = Date.parse("2026-11-25T00:00:31Z");
    expect(day()).toBe("2026-11-25");
    now = Date.parse("2026-11-20T12:00:00Z");
    expect(day()).toBe("2026-11-20");
    expect(reads).toBe(4);
  });
});
