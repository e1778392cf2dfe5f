import { expect, it } from "vitest";
import { bufferedDestination } from "../src/logger.js";

it("batches lines into writes of about 4 KiB, in order, and flushes the rest on demand", () => {
  const writes: string[] = [];
  const destination = bufferedDestination({ write: (text) => writes.push(text) });
  const line = (i: number) => `${JSON.stringify({ i, pad: "x".repeat(90) })}\n`;
  for (let i = 0; i < 100; i += 1) destination.write(line(i));
  expect(writes.length).toBe(2);
  for (const batch of writes) expect(batch.length).toBeGreaterThanOrEqual(4096);
  destination.flush();
  destination.flush();
  expect(writes.length).toBe(3);
  expect(writes.join("")).toBe(Array.from({ length: 100 }, (_, i) => line(i)).join(""));
});
