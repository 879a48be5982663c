// The verify step (TechEmpower's name for it): only a target that passes every core check is
// benchmarked. The evidence is a conformance.json: reports/conformance.json when it is fresh
// enough and names the same image ids, else one made now by `CONFORMANCE_ONLY=1 vitest run` for
// the targets it lacks, written to a temporary folder so the project's reports/ stay as they were.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../base/paths.js";
import type { Report, ReportTarget } from "../report/types.js";
import type { Target } from "../run/targets.js";
import { UsageError } from "../base/usage-error.js";
import type { Gate, GateEntry } from "./types.js";

export type GateMode = "auto" | "run" | "skip";

/** The reports of the bench's own recent verify runs (newest first), so that the next run can reuse them. */
export const CACHED_REPORTS = join(ROOT, ".cache", "bench", "conformance-reports.json");

function readCache(): Report[] {
  try {
    const list = JSON.parse(readFileSync(CACHED_REPORTS, "utf8")) as Report[];
    return Array.isArray(list) ? list.filter((r) => r && Array.isArray(r.targets) && typeof r.finishedAt === "string") : [];
  } catch {
    return [];
  }
}

export function gateModeFromEnv(env = process.env): GateMode {
  const v = env.BENCH_GATE ?? "auto";
  if (v !== "auto" && v !== "run" && v !== "skip") throw new UsageError(`BENCH_GATE must be auto (reuse a fresh report or run), run or skip, got "${v}"`);
  return v;
}

/** Pass or fail from one target's entry of a conformance report. */
export function judge(entry: ReportTarget | undefined, name: string, imageId: string | null): GateEntry {
  if (!entry) return { name, image: null, imageId, passed: false, reason: "not in the conformance report", core: { passed: 0, total: 0 } };
  const core = entry.checks.filter((c) => c.profile === "core");
  const bad = core.filter((c) => c.outcome !== "passed");
  const base = { name, image: entry.image, imageId: entry.imageId };
  if (!core.length) return { ...base, passed: false, reason: "the report holds no core check for it", core: { passed: 0, total: 0 } };
  const counts = { passed: core.length - bad.length, total: core.length };
  if (!bad.length) return { ...base, passed: true, reason: `passes all ${core.length} core checks`, core: counts };
  const ids =
    bad
      .slice(0, 5)
      .map((c) => c.id)
      .join(", ") + (bad.length > 5 ? ", …" : "");
  const first = bad[0]!;
  const why = (first.reason ?? first.outcome).replace(/\s+/g, " ");
  const shortWhy = why.length > 160 ? `${why.slice(0, 159)}…` : why;
  return {
    ...base,
    passed: false,
    reason: `core: ${bad.length} of ${core.length} checks not passed (${ids}); ${first.id} ${first.outcome}: ${shortWhy}`,
    core: counts,
  };
}

function readReport(file: string): Report | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

/** Runs the conformance suite for `names`; resolves with its report (or throws a one-line error). */
async function runConformance(names: string[], log: (l: string) => void): Promise<{ report: Report; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-conformance-"));
  const vitest = join(ROOT, "node_modules", ".bin", "vitest");
  const env = { ...process.env, CONFORMANCE_ONLY: "1", CONFORMANCE_TARGETS: names.join(","), CONFORMANCE_REPORT_DIR: dir, FORCE_COLOR: "0" };
  const command = `CONFORMANCE_ONLY=1 CONFORMANCE_TARGETS=${names.join(",")} npx vitest run`;
  log(`verify: ${command} (report in ${dir})`);
  const tail: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(vitest, ["run"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const s of [child.stdout, child.stderr]) {
      createInterface({ input: s }).on("line", (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (/^\s*(Test Files|Tests|Duration)\s/.test(line) || /^\[[\w-]+\] (building|image)/.test(line)) log(`verify: ${line.trim()}`);
      });
    }
    child.on("error", () => resolve(127));
    child.on("close", (c) => resolve(c ?? 1));
  });
  const file = join(dir, "conformance.json");
  const report = readReport(file);
  if (!report) {
    for (const l of tail.slice(-10)) log(`verify: ${l}`);
    throw new UsageError(`the conformance run wrote no report (vitest exited ${code}); reproduce with: ${command}`);
  }
  return { report, file };
}

export interface GateInput {
  target: Target;
  imageId: string;
}

/**
 * Decides which targets are benchmarked. "auto" reuses `reports/conformance.json` (or
 * BENCH_CONFORMANCE_REPORT) for every target whose entry names the same image id and finished
 * within BENCH_CONFORMANCE_MAX_AGE_HOURS (24), and runs the suite for the rest.
 */
export async function verify(inputs: GateInput[], mode: GateMode, log: (l: string) => void = console.error): Promise<Gate> {
  const started = Date.now();
  if (mode === "skip") {
    return {
      source: "skipped",
      report: null,
      reportFinishedAt: null,
      seconds: 0,
      targets: inputs.map(({ target, imageId }) => ({
        name: target.name,
        image: target.image ?? null,
        imageId,
        passed: true,
        reason: "not verified: BENCH_GATE=skip",
        core: { passed: 0, total: 0 },
      })),
    };
  }
  const file = process.env.BENCH_CONFORMANCE_REPORT ?? join(ROOT, "reports", "conformance.json");
  const maxAgeH = Number(process.env.BENCH_CONFORMANCE_MAX_AGE_HOURS ?? 24);
  if (!Number.isFinite(maxAgeH) || maxAgeH < 0)
    throw new UsageError(`BENCH_CONFORMANCE_MAX_AGE_HOURS must be a number of hours, got "${process.env.BENCH_CONFORMANCE_MAX_AGE_HOURS}"`);
  // The project's report first, then the bench's own recent verify runs, newest first.
  const sources = mode === "auto" ? [{ f: file, r: readReport(file) }, ...readCache().map((r) => ({ f: CACHED_REPORTS, r }))] : [];
  const reusable = new Map<string, ReportTarget>();
  const used = new Set<string>();
  let usedFinishedAt: string | null = null;
  for (const { f, r } of sources) {
    if (!r || !(Date.now() - Date.parse(r.finishedAt) <= maxAgeH * 3600_000)) continue;
    for (const { target, imageId } of inputs) {
      const entry = r.targets.find((t) => t.name === target.name && t.imageId === imageId);
      if (entry && !reusable.has(target.name)) {
        reusable.set(target.name, entry);
        used.add(relative(ROOT, f));
        usedFinishedAt ??= r.finishedAt;
      }
    }
  }
  const missing = inputs.filter(({ target }) => !reusable.has(target.name));
  let ran: { report: Report; file: string } | undefined;
  if (missing.length) {
    ran = await runConformance(
      missing.map((i) => i.target.name),
      log,
    );
    const keep = readCache().filter((r) => Date.now() - Date.parse(r.finishedAt) <= maxAgeH * 3600_000);
    mkdirSync(dirname(CACHED_REPORTS), { recursive: true });
    writeFileSync(CACHED_REPORTS, `${JSON.stringify([ran.report, ...keep].slice(0, 8))}\n`);
  }
  const targets = inputs.map(({ target, imageId }) => {
    const entry = reusable.get(target.name) ?? ran?.report.targets.find((t) => t.name === target.name);
    const verdict = judge(entry, target.name, imageId);
    if (entry && entry.imageId !== imageId && verdict.passed) {
      return { ...verdict, passed: false, reason: `the report is for image ${entry.imageId}, not ${imageId}` };
    }
    return verdict;
  });
  if (ran) rmSync(join(ran.file, ".."), { recursive: true, force: true });
  const where = [...used].join(" and ");
  return {
    source: ran ? "run" : "reused",
    report: ran ? (reusable.size ? `${where} (${reusable.size} targets) and a run now` : "a run now") : where,
    reportFinishedAt: ran ? ran.report.finishedAt : usedFinishedAt,
    seconds: (Date.now() - started) / 1000,
    targets,
  };
}
