// The same verdicts at 12 targets as at one: `npm run scale` with N = 1 and 12 copies of the correct
// server, on the body and concurrency checks (the ones a busy machine used to turn: an early 413
// with a reset, concurrent writes). It asserts the outcomes, never the times; the big N is
// `npm run scale` itself (docs/speed.md).
import { expect, test } from "vitest";
import { scale } from "./scale.js";

test(
  "12 copies of a correct server get the outcomes one copy gets, every check of BODY-* and CON-* passing",
  async () => {
    const runs = await scale({ ...process.env, SCALE_N: "1,12", SCALE_CHECKS: "BODY-*,CON-*", SCALE_OTHERS: "copies" });
    expect(runs.map((r) => r.differences)).toEqual([[], []]);
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(runs[1]!.compared).toBe(12 * runs[0]!.compared);
  },
  10 * 60_000,
);
