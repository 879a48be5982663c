import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Outcome } from "../../harness/check/check.js";
import { ROOT } from "../../harness/base/paths.js";
import type { Report } from "../../harness/report/types.js";
import { appendHistory, changes, changesOf, readHistory, toHistoryRun, trends, withCurrent, type HistoryRun } from "../../harness/report/history.js";
import { compileSchema } from "../../harness/report/schemas.js";

const FIXTURE = join(ROOT, "fixtures/report/one-failure");
const report: Report = JSON.parse(readFileSync(join(FIXTURE, "conformance.json"), "utf8"));

const seq = (outcomes: string) => [...outcomes].map((c, run) => ({ run, outcome: ({ p: "passed", f: "failed", s: "skipped" } as const)[c as "p"] as Outcome }));

describe("history files", () => {
  test("the fixture's newest run is what toHistoryRun makes of its report, and both files match the schema", () => {
    const [older, newer] = readdirSync(join(FIXTURE, "history"))
      .sort()
      .map((n) => JSON.parse(readFileSync(join(FIXTURE, "history", n), "utf8")));
    expect(newer).toEqual(toHistoryRun(report, {}));
    const validate = compileSchema<HistoryRun>("history");
    for (const run of [older, newer]) expect(validate(run), JSON.stringify(validate.errors)).toBe(true);
  });

  test("a run keeps per target its scores per profile and every check's outcome, and the CI run when known", () => {
    const run = toHistoryRun(report, { GITHUB_SHA: "abc123", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "42" });
    expect(run.commit).toBe("abc123");
    expect(run.runUrl).toBe("https://github.com/o/r/actions/runs/42");
    const go = run.targets[0]!;
    expect(go.scores.core).toEqual({ passed: 9, failed: 1, skipped: 0, ran: 10 });
    expect(go.outcomes["RES-14"]).toBe("failed");
    expect(Buffer.byteLength(JSON.stringify(run))).toBeLessThan(2_000);
  });

  test("appendHistory writes one file per run, named after its start; readHistory reads them oldest first", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "history-")), "runs");
    const first = appendHistory(report, dir, {});
    const again = appendHistory(report, dir, {});
    expect([first, again].map((p) => p.slice(dir.length + 1))).toEqual(["2025-01-15T10-00-00-000Z.json", "2025-01-15T10-00-00-000Z-2.json"]);
    const older = { ...toHistoryRun(report, {}), startedAt: "2025-01-01T00:00:00.000Z" };
    writeFileSync(join(dir, "zzz.json"), JSON.stringify(older));
    writeFileSync(join(dir, "broken.json"), "{");
    writeFileSync(join(dir, "other.json"), JSON.stringify({ format: "something else" }));
    const history = readHistory(dir);
    expect(history.runs.map((r) => r.startedAt)).toEqual(["2025-01-01T00:00:00.000Z", report.startedAt, report.startedAt]);
    expect(history.skipped).toHaveLength(2);
    expect(history.skipped[0]).toMatch(/broken\.json: .*JSON/);
    expect(history.skipped[1]).toMatch(/other\.json: .*see harness\/schemas\/history\.schema\.json$/);
    expect(readHistory(dir, 1).runs).toHaveLength(1);
  });

  test("a missing folder is an empty history; a file in its place is a one-line error", () => {
    const base = mkdtempSync(join(tmpdir(), "history-"));
    expect(readHistory(join(base, "none"))).toEqual({ runs: [], skipped: [] });
    writeFileSync(join(base, "file"), "");
    expect(() => appendHistory(report, join(base, "file"), {})).toThrow(/^CONFORMANCE_HISTORY_DIR=.*file is a file; point it at a folder/);
  });

  test("withCurrent adds the report's run unless the history has it", () => {
    const history = readHistory(join(FIXTURE, "history"));
    expect(withCurrent(history, report, {}).runs).toHaveLength(2);
    expect(withCurrent({ runs: [], skipped: [] }, report, {}).runs).toHaveLength(1);
  });
});

describe("transitions", () => {
  test("two runs where one check changed: one transition, in that check and target only", () => {
    const { runs } = readHistory(join(FIXTURE, "history"));
    const found = changes(runs);
    expect([...found.keys()]).toEqual(["RES-14"]);
    expect([...found.get("RES-14")!]).toEqual([["go-nethttp", [{ kind: "transition", at: 1, from: "passed", to: "failed" }]]]);
  });

  test("a steady outcome has no change; a lasting change is one transition", () => {
    expect(changesOf(seq("pppp"))).toEqual([]);
    expect(changesOf(seq("ppfff"))).toEqual([{ kind: "transition", at: 2, from: "passed", to: "failed" }]);
    expect(changesOf(seq("pfffp"))).toEqual([
      { kind: "transition", at: 1, from: "passed", to: "failed" },
      { kind: "transition", at: 4, from: "failed", to: "passed" },
    ]);
  });

  test("A→B→A with B lasting at most 2 runs is flaky, and back-and-forth flips fold into one entry", () => {
    expect(changesOf(seq("ppfpp"))).toEqual([{ kind: "flaky", first: 2, last: 3, flips: 2, outcomes: ["passed", "failed"], to: "passed" }]);
    expect(changesOf(seq("pffp"))).toEqual([{ kind: "flaky", first: 1, last: 3, flips: 2, outcomes: ["passed", "failed"], to: "passed" }]);
    expect(changesOf(seq("pfpfpfff"))).toEqual([{ kind: "flaky", first: 1, last: 5, flips: 5, outcomes: ["passed", "failed"], to: "failed" }]);
    expect(changesOf(seq("ppfpppfff"))).toEqual([
      { kind: "flaky", first: 2, last: 3, flips: 2, outcomes: ["passed", "failed"], to: "passed" },
      { kind: "transition", at: 6, from: "passed", to: "failed" },
    ]);
  });

  test("the newest outcome is never a flip, and three outcomes in a row are transitions", () => {
    expect(changesOf(seq("ppf"))).toEqual([{ kind: "transition", at: 2, from: "passed", to: "failed" }]);
    expect(changesOf(seq("pfs")).map((c) => c.kind)).toEqual(["transition", "transition"]);
  });

  test("runs a check or a target was not in are not changes", () => {
    const { runs } = readHistory(join(FIXTURE, "history"));
    const [older, newer] = runs as [HistoryRun, HistoryRun];
    const gap = structuredClone(older);
    gap.startedAt = "2025-01-14T12:00:00.000Z";
    gap.targets = gap.targets.filter((t) => t.name !== "go-nethttp");
    delete gap.targets[0]!.outcomes["RES-14"];
    const found = changes([older, gap, newer]);
    expect([...found.get("RES-14")!]).toEqual([["go-nethttp", [{ kind: "transition", at: 2, from: "passed", to: "failed" }]]]);
  });

  test("trends: each target's scores in each run it was in", () => {
    const { runs } = readHistory(join(FIXTURE, "history"));
    const t = trends(runs);
    expect([...t.keys()]).toEqual(["go-nethttp", "rust-axum"]);
    expect(t.get("go-nethttp")!.map((p) => [p.run, p.scores.core!.passed, p.scores.core!.ran])).toEqual([
      [0, 10, 10],
      [1, 9, 10],
    ]);
  });
});
