// Smoke test of `npm run bench`: the quick path against one target for a few seconds, then the
// report's shape against harness/bench/bench.schema.json. It checks that the tool works, never
// what it measured (speed is printed by scripts, not asserted in timed tests).
// BENCH_GATE=skip: the gate's judgement has its own tests (test/bench/bench.test.ts), and a
// conformance run here would take longer than the whole smoke test may.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ensureWrk, installedOha } from "../../harness/bench/tools.js";
import { schemaErrors } from "../../harness/bench/write.js";
import type { BenchReport } from "../../harness/bench/types.js";
import { ROOT } from "../../harness/base/paths.js";

const target = process.env.BENCH_SMOKE_TARGET ?? "go-nethttp";
const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// oha takes about 5 minutes of both cores to compile (measured: 314 s, 562 core-s), more than the
// rest of a cold `npm test`: when it is not installed yet (`npm run bench` installs it), the smoke
// test runs the bench without its fixed-rate runs, and its title says so.
const oha = installedOha();
const withoutOha = oha ? "" : " (oha is not installed: BENCH_FIXED_RATE=0, no fixed-rate runs)";

// Installing wrk (Debian's package, seconds) is not part of the timed test.
beforeAll(() => ensureWrk(), 10 * 60_000);

test(`BENCH_QUICK=1 npm run bench against ${target} writes a report that matches the schema${withoutOha}`, async () => {
  const env = {
    ...process.env,
    CONFORMANCE_TARGETS: target,
    BENCH_QUICK: "1",
    BENCH_GATE: "skip",
    BENCH_SCENARIOS: "get-one", // one scenario shows the shape; each costs both cores for seconds
    BENCH_WARMUP_SECONDS: "0",
    BENCH_REPEATS: "2", // the smallest that still makes a spread; the full plan's 3 is tested in harness/bench/
    BENCH_IDLE_CONNECTIONS: "200",
    BENCH_REPORT_DIR: dir,
    BENCH_DOCS: "0",
    BENCH_FIXED_RATE: oha ? "1" : "0",
  };
  const output: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (c: Buffer) => output.push(c.toString()));
    child.stderr.on("data", (c: Buffer) => output.push(c.toString()));
    child.on("close", (c) => resolve(c ?? 1));
  });
  expect(code, output.join("").split("\n").slice(-15).join("\n")).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
  expect(schemaErrors(report)).toEqual([]);
  expect(report.mode).toBe("quick");
  expect(report.gate.source).toBe("skipped");
  expect(report.targets.map((t) => t.name)).toEqual([target]);
  const [t] = report.targets;
  expect(t!.ladder.map((p) => [p.scenario, p.connections, p.runs.length])).toEqual([["get-one", 64, 2]]);
  expect(report.ceiling.ladder).toHaveLength(1);
  expect(t!.fixedRate.map((f) => f.scenario)).toEqual(oha ? ["get-one"] : []);
  expect(report.generators.oha?.version ?? null).toBe(oha ? oha.version : null);
  expect(t!.idleConnections?.requested).toBe(200);
  expect(report.claims.map((c) => c.id)).toEqual(["ranking", "hundreds-of-thousands", "idle-10k", "websocket-50k"]);
  expect(readFileSync(join(dir, "bench.html"), "utf8")).toContain("<svg");
}, 300_000); // a bound, not a goal: 13 s alone, over 60 s beside the rest of npm test on 2 cores
