// The bench's pieces that need no Docker: parsers, statistics, the plan, the gate's judgement,
// the claims and the writers (a synthetic report must satisfy the schema and render).
import { describe, expect, test } from "vitest";
import { renderHtml } from "../../harness/bench/html.js";
import { renderMarkdown } from "../../harness/bench/markdown.js";
import { parseOha } from "../../harness/bench/oha.js";
import { estimate, planFromEnv } from "../../harness/bench/plan.js";
import { stat } from "../../harness/bench/stats.js";
import { syntheticReport } from "../../harness/bench/sample.js";
import { judge } from "../../harness/bench/verify.js";
import { evaluateClaims } from "../../harness/bench/claims.js";
import { childCpuSeconds, parseWrk } from "../../harness/bench/wrk.js";
import { schemaErrors } from "../../harness/bench/write.js";

const wrkLine = (statuses: string, status = 0) =>
  `Running 1s test\nBENCH_WRK {"duration_us":2000000,"requests":1000,"bytes":5,"errors":{"connect":0,"read":1,"write":0,"status":${status},"timeout":2},` +
  `"latency_us":{"mean":150.5,"max":900,"p50":100,"p90":200,"p99":500},"statuses":{${statuses}}}\n`;

describe("parseWrk", () => {
  test("without per-status counts, everything below 400 is done", () => {
    const r = parseWrk(wrkLine("", 10), [200]);
    expect(r).toMatchObject({ requests: 1000, okResponses: 990, otherStatuses: 10, socketErrors: 3, rps: 495, seconds: 2 });
    expect(r.statuses).toEqual({ "200": 990, "400+": 10 });
    expect(r.latencyMs.p99).toBe(0.5);
  });
  test("with per-status counts, only the ok statuses are done", () => {
    const r = parseWrk(wrkLine('"201":900,"409":100', 100), [201]);
    expect(r).toMatchObject({ okResponses: 900, otherStatuses: 100, rps: 450 });
  });
  test("no summary line is an error that quotes the output", () => {
    expect(() => parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n", [200])).toThrow(/no summary line: unable to connect/);
  });
});

test("childCpuSeconds reads cutime + cstime from the wrapper's /proc stat line", () => {
  const stat = "1234 (sh) S 1 1234 1234 0 -1 4194304 100 200 0 0 0 0 150 37 20 0 1 0 5 1 1 0 0 0";
  expect(childCpuSeconds(`BENCH_WRK {}\n${stat}\n`)).toBeCloseTo(1.87);
  expect(childCpuSeconds("no stat here")).toBeNull();
});

describe("parseOha", () => {
  const json = JSON.stringify({
    summary: { requestsPerSec: 998.5, total: 2 },
    latencyPercentilesSuccessful: { p50: 0.0004, p90: 0.0008, p99: 0.002, "p99.9": 0.004 },
    statusCodeDistribution: { "201": 1960, "409": 40 },
    errorDistribution: { "aborted due to deadline": 3, "connection refused": 2 },
  });
  test("success-only percentiles in ms, statuses with errors, deadline aborts left out", () => {
    const r = parseOha(json, { operation: "POST", method: "POST", rate: 1000, connections: 32 });
    expect(r.latencyMs).toEqual({ p50: 0.4, p90: 0.8, p99: 2, "p99.9": 4 });
    expect(r.statuses).toEqual({ "201": 1960, "409": 40, error: 2 });
    expect(r.requests).toBe(2002);
  });
  test("output that is not JSON is an error", () => {
    expect(() => parseOha("error: invalid value", { operation: "x", method: "GET", rate: 1, connections: 1 })).toThrow(/no JSON/);
  });
});

describe("stat", () => {
  test("median, spread as (max - min) / median, and the flag", () => {
    expect(stat([100, 104, 102], 0.05)).toMatchObject({ median: 102, min: 100, max: 104, flagged: false });
    expect(stat([100, 110, 102], 0.05).flagged).toBe(true);
    expect(stat([7], 0.05).spread).toBe(0);
  });
});

describe("plan", () => {
  test("full and quick fit their bounds for four targets", () => {
    expect(estimate(planFromEnv({}), 4)).toBeLessThan(560);
    expect(estimate(planFromEnv({ BENCH_QUICK: "1" }), 4)).toBeLessThan(85);
  });
  test("bad input is a one-line error naming the variable", () => {
    expect(() => planFromEnv({ BENCH_LADDER: "1,x" })).toThrow(/BENCH_LADDER: "x" is not a connection count/);
    expect(() => planFromEnv({ BENCH_SCENARIOS: "get" })).toThrow(/BENCH_SCENARIOS: "get" is not one of/);
    expect(() => planFromEnv({ BENCH_REPEATS: "0" })).toThrow(/BENCH_REPEATS must be an integer from 1/);
    expect(() => planFromEnv({ BENCH_FIXED_RATE: "no" })).toThrow(/BENCH_FIXED_RATE must be 1 .* or 0/);
  });
  test("BENCH_FIXED_RATE=0 plans no fixed-rate runs, and takes less time", () => {
    expect(planFromEnv({}).fixedRate).toBe(true);
    expect(planFromEnv({ BENCH_FIXED_RATE: "0" }).fixedRate).toBe(false);
    expect(estimate(planFromEnv({ BENCH_FIXED_RATE: "0" }), 4)).toBeLessThan(estimate(planFromEnv({}), 4));
  });
});

describe("judge", () => {
  const check = (id: string, profile: "core" | "recommended", outcome: "passed" | "failed") => ({
    id,
    level: "MUST" as const,
    profile,
    section: "Errors" as const,
    title: "t",
    outcome,
    reason: outcome === "failed" ? "status 200, expected 404" : undefined,
  });
  const entry = (checks: ReturnType<typeof check>[]) => ({
    name: "x",
    kind: "implementation" as const,
    image: "i",
    imageId: "sha256:1",
    url: null,
    manifest: null,
    profiles: [],
    checks,
  });
  test("every core check passed: benchmarked, whatever the other profiles did", () => {
    expect(judge(entry([check("A-1", "core", "passed"), check("R-1", "recommended", "failed")]), "x", "sha256:1")).toMatchObject({
      passed: true,
      core: { passed: 1, total: 1 },
    });
  });
  test("a failed core check: not benchmarked, with the check and its reason", () => {
    const g = judge(entry([check("A-1", "core", "passed"), check("A-2", "core", "failed")]), "x", "sha256:1");
    expect(g).toMatchObject({ passed: false, core: { passed: 1, total: 2 } });
    expect(g.reason).toBe("core: 1 of 2 checks not passed (A-2); A-2 failed: status 200, expected 404");
  });
  test("absent from the report: not benchmarked", () => expect(judge(undefined, "x", null).passed).toBe(false));
});

describe("claims and writers", () => {
  const r = syntheticReport();
  test("the ranking is supported when the ranges are apart; the idle claim refuted at 300 B per connection", () => {
    expect(r.claims.map((c) => [c.id, c.verdict])).toEqual([
      ["ranking", "supported"],
      ["hundreds-of-thousands", "refuted"],
      ["idle-10k", "refuted"],
      ["websocket-50k", "not measured"],
    ]);
  });
  test("when the req/s runs overlap, the ranking falls back on the cost per request, and says so", () => {
    const noisy = syntheticReport();
    for (const t of noisy.targets) {
      const p = t.ladder[0]!;
      p.rps = stat([10_000, 30_000, 50_000], 0.05); // every target's runs overlap
    }
    const claim = evaluateClaims(noisy).find((c) => c.id === "ranking")!;
    expect(claim.verdict).toBe("supported"); // per CPU-second 44k > 33k > 22k, ranges apart
    expect(claim.measured).toContain("by requests per server CPU-second");
  });
  test("a full report satisfies the schema; a broken one names the field", () => {
    expect(schemaErrors(r)).toEqual([]);
    const broken = { ...r, targets: [{ ...r.targets[0], imageSizeBytes: "big" }] };
    expect(schemaErrors(broken).join("\n")).toContain("/targets/0/imageSizeBytes must be integer");
  });
  test("markdown has a row per claim; the HTML has its charts inline and loads nothing", () => {
    const md = renderMarkdown(r);
    for (const c of r.claims) expect(md).toContain(c.claim);
    const html = renderHtml(r);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<(script|link|img)\b|src=|https?:\/\/(?!crud)/);
  });
});
