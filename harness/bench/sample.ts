// A small report with every field, as a full run would write it: for the tests of the claims,
// the writers and the HTML page (bench.test.ts, html.test.ts).
import { evaluateClaims } from "./claims.js";
import { stat } from "./stats.js";
import type { BenchReport, LadderPoint, TargetResult } from "./types.js";

export function syntheticReport(): BenchReport {
  const point = (scenario: LadderPoint["scenario"], connections: number, rps: number[]): LadderPoint => ({
    scenario,
    connections,
    wrkThreads: Math.min(2, connections),
    runs: rps.map((x) => ({ rps: x, requests: x, okResponses: x, seconds: 1, otherStatuses: 0, socketErrors: 0, statuses: { "200": x }, serverCpuSeconds: 0.9, perServerCpuSecond: x / 0.9, generatorCpuSeconds: 0.8, perGeneratorCpuSecond: x / 0.8, latencyMs: { mean: 1, p50: 1, p90: 2, p99: 3, max: 4 } })),
    rps: stat(rps, 0.05),
    perServerCpuSecond: stat(rps.map((x) => x / 0.9), 0.05),
    serverCpuShare: 0.9,
    perGeneratorCpuSecond: stat(rps.map((x) => x / 0.8), 0.05),
  });
  const target = (name: string, rps: number, perConn: number): TargetResult => ({
    name,
    image: `crud-conformance/${name}:0`,
    imageId: "sha256:0",
    framework: name,
    language: "Rust",
    profiles: ["recommended"],
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
