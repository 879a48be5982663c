// The bench's pieces that need no Docker: parsers, statistics, the plan, the gate's judgement,
// the claims and the writers (a synthetic report must satisfy the schema and render).
import { describe, expect, test } from "vitest";
import { evaluateClaims } from "./claims.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { parseOha } from "./oha.js";
import { estimate, planFromEnv } from "./plan.js";
import { stat } from "./stats.js";
import type { BenchReport, LadderPoint, TargetResult } from "./types.js";
import { judge } from "./verify.js";
import { parseWrk } from "./wrk.js";
import { schemaErrors } from "./write.js";

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
  });
});

describe("judge", () => {
  const check = (id: string, profile: "core" | "recommended", outcome: "passed" | "failed") => ({ id, level: "MUST" as const, profile, section: "s", title: "t", outcome, reason: outcome === "failed" ? "status 200, expected 404" : undefined });
  const entry = (checks: ReturnType<typeof check>[]) => ({ name: "x", kind: "implementation" as const, image: "i", imageId: "sha256:1", url: null, manifest: null, profiles: [], checks });
  test("every core check passed: benchmarked, whatever the other profiles did", () => {
    expect(judge(entry([check("A-1", "core", "passed"), check("R-1", "recommended", "failed")]), "x", "sha256:1")).toMatchObject({ passed: true, core: { passed: 1, total: 1 } });
  });
  test("a failed core check: not benchmarked, with the check and its reason", () => {
    const g = judge(entry([check("A-1", "core", "passed"), check("A-2", "core", "failed")]), "x", "sha256:1");
    expect(g).toMatchObject({ passed: false, core: { passed: 1, total: 2 } });
    expect(g.reason).toContain("A-2 failed: status 200, expected 404");
  });
  test("absent from the report: not benchmarked", () => expect(judge(undefined, "x", null).passed).toBe(false));
});

/** A small report with every field, as a full run would write it. */
export function syntheticReport(): BenchReport {
  const point = (scenario: LadderPoint["scenario"], connections: number, rps: number[]): LadderPoint => ({
    scenario,
    connections,
    wrkThreads: Math.min(2, connections),
    runs: rps.map((x) => ({ rps: x, requests: x, okResponses: x, seconds: 1, otherStatuses: 0, socketErrors: 0, statuses: { "200": x }, latencyMs: { mean: 1, p50: 1, p90: 2, p99: 3, max: 4 } })),
    rps: stat(rps, 0.05),
  });
  const target = (name: string, rps: number, perConn: number): TargetResult => ({
    name,
    image: `crud-conformance/${name}:0`,
    imageId: "sha256:0",
    framework: name,
    language: "Rust",
    imageSizeBytes: 3e6,
    startToFirst200Ms: stat([5, 6, 7], Infinity),
    runToFirst200Ms: stat([200, 210, 220], Infinity),
    memory: { idleRssBytes: 2e6, peakRssBytes: 4e6, idleCgroupBytes: 3e6, peakCgroupBytes: 6e6 },
    idleConnections: {
      requested: 10_000, held: 10_000, failed: 0, closedByServerDuringHold: 0, holdSeconds: 2,
      rssBeforeBytes: 2e6, rssAfterBytes: 2e6 + perConn * 1e4, rssPerConnectionBytes: perConn,
      cgroupBeforeBytes: 3e6, cgroupAfterBytes: 5e7, cgroupPerConnectionBytes: 4700, note: "opened in 1.0 s",
    },
    ladder: [{ ...point("get-one", 64, [rps, rps * 1.01, rps * 0.99]), ceilingRps: 150_000, generatorBound: false }],
    fixedRate: [{ scenario: "get-one", rate: 5000, seconds: 2, operations: [{ operation: "GET one", method: "GET", rate: 5000, connections: 32, achievedRps: 5000, requests: 10_000, statuses: { "200": 10_000 }, latencyMs: { p50: 0.2, p90: 0.4, p99: 1, "p99.9": 3 } }], latencyMs: { p50: 0.2, p90: 0.4, p99: 1, "p99.9": 3 }, notOk: 0 }],
  });
  const r: BenchReport = {
    schema: "crud-conformance/bench/v1",
    startedAt: "2026-12-01T00:00:00.000Z",
    finishedAt: "2026-12-01T00:09:00.000Z",
    wallSeconds: 540,
    mode: "full",
    machine: { cores: 2, cpu: "cpu", memoryGiB: 23.5, kernel: "6", docker: "20", node: "v20", loadAverageStart: [1, 1, 1], loadAverageEnd: [2, 2, 2], note: null },
    setup: { network: "host", host: "127.0.0.1", serverCpus: "0", generatorCpus: "1", memoryLimitBytes: 2 ** 29, pidsLimit: 256, nofile: 20_000, logDriver: "none" },
    generators: { wrk: { version: "4.1.0", path: "/usr/bin/wrk", maxThreads: 2 }, oha: { version: "1.16.0", path: ".cache/bin/oha" } },
    plan: { scenarios: ["get-one"], ladder: [64], repeats: 3, secondsPerRun: { "get-one": 2 }, warmupSeconds: 1, fixedRateSeconds: 2, fixedRateFraction: 0.5, fixedRateConnections: 32, idleConnections: 10_000, seedUsers: 200, spreadThreshold: 0.05, generatorBoundFraction: 1 / 3 },
    scenarios: [{ id: "get-one", title: "GET one user", requests: "GET /api/users/1", ok: [200] }],
    gate: { source: "reused", report: "reports/conformance.json", reportFinishedAt: "2026-12-01T00:00:00.000Z", seconds: 0, targets: [{ name: "rust-axum", image: "i", imageId: "sha256:0", passed: true, reason: "passes all 190 core checks", core: { passed: 190, total: 190 } }] },
    ceiling: { name: "bench-responder", image: "crud-conformance/bench-responder:0", imageSizeBytes: 1.2e6, ladder: [point("get-one", 64, [150_000, 151_000, 149_000])] },
    targets: [target("rust-actix-web", 40_000, 300), target("rust-axum", 30_000, 200), target("rust-rocket", 20_000, 500)],
    claims: [],
    warnings: [],
  };
  r.claims = evaluateClaims(r);
  return r;
}

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
