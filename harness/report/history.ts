// Run history: with CONFORMANCE_HISTORY_DIR set, every run writes one small JSON file there (per
// target: its scores per profile and every check's outcome; shape: harness/schemas/history.schema.json).
// The page reads the folder back for a trend per target and, per check, the runs where its outcome
// changed (transitions), with flaky flips folded together.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Outcome } from "../check/check.js";
import type { Report } from "./types.js";
import type { TargetKind } from "../run/targets.js";
import { UsageError } from "../base/usage-error.js";
import { tally, targetBadge, type Tally } from "./badges.js";
import { compileSchema } from "./schemas.js";

export const HISTORY_FORMAT = "crud-conformance-history/1";

export interface HistoryTarget {
  name: string;
  kind: TargetKind;
  imageId: string | null;
  /** The badge's message, e.g. "core 100% · 1/10 profiles". */
  badge: string;
  /** Per profile (core first): the outcomes counted. */
  scores: Record<string, Tally>;
  /** Check id -> outcome. */
  outcomes: Record<string, Outcome>;
}

export interface HistoryRun {
  format: typeof HISTORY_FORMAT;
  suite: Report["suite"];
  startedAt: string;
  finishedAt: string;
  /** The commit checked, and the CI run, when the run knows them (GITHUB_SHA, GITHUB_RUN_ID). */
  commit?: string;
  runUrl?: string;
  targets: HistoryTarget[];
}

/** The part of one run the history keeps. */
export function toHistoryRun(report: Report, env: NodeJS.ProcessEnv = process.env): HistoryRun {
  const run: HistoryRun = {
    format: HISTORY_FORMAT,
    suite: report.suite,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    targets: report.targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      imageId: t.imageId,
      badge: targetBadge(t).message,
      scores: Object.fromEntries([...tally(t.checks, "profile")].sort(([a], [b]) => (a === "core" ? -1 : b === "core" ? 1 : a.localeCompare(b)))),
      outcomes: Object.fromEntries(t.checks.map((c) => [c.id, c.outcome])),
    })),
  };
  if (env.GITHUB_SHA) run.commit = env.GITHUB_SHA;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    run.runUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return run;
}

const validate = compileSchema<HistoryRun>("history");

function checkDir(dir: string) {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`CONFORMANCE_HISTORY_DIR=${dir} is a file; point it at a folder (it is created if missing)`);
  }
}

/** Writes <dir>/<startedAt>.json (created if missing); returns its path. */
export function appendHistory(report: Report, dir: string, env: NodeJS.ProcessEnv = process.env): string {
  checkDir(dir);
  const run = toHistoryRun(report, env);
  const stem = run.startedAt.replace(/[:.]/g, "-");
  try {
    mkdirSync(dir, { recursive: true });
    let file = join(dir, `${stem}.json`);
    for (let i = 2; existsSync(file); i++) file = join(dir, `${stem}-${i}.json`);
    writeFileSync(file, `${JSON.stringify(run)}\n`);
    return file;
  } catch (e) {
    throw new UsageError(`CONFORMANCE_HISTORY_DIR=${dir}: cannot write the run (${(e as Error).message.split("\n")[0]}); make it a writable folder`);
  }
}

export interface History {
  /** Oldest first; at most `limit`. */
  runs: HistoryRun[];
  /** One line per file that was left out, naming it and why. */
  skipped: string[];
}

/** Reads every *.json of the folder (a missing folder is an empty history), oldest first, the newest `limit` kept. */
export function readHistory(dir: string, limit = 100): History {
  checkDir(dir);
  if (!existsSync(dir)) return { runs: [], skipped: [] };
  const runs: HistoryRun[] = [];
  const skipped: string[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const file = join(dir, name);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      skipped.push(`${file}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    if (!validate(data)) {
      const err = validate.errors![0]!;
      skipped.push(`${file}: ${err.instancePath || "(root)"} ${err.message}; see harness/schemas/history.schema.json`);
      continue;
    }
    runs.push(data);
  }
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { runs: runs.slice(-limit), skipped };
}

/** The history with the current run as its newest entry (added unless a run with its start time is there). */
export function withCurrent(history: History, report: Report, env: NodeJS.ProcessEnv = process.env): History {
  if (history.runs.some((r) => r.startedAt === report.startedAt)) return history;
  return { ...history, runs: [...history.runs, toHistoryRun(report, env)] };
}

export interface TrendPoint {
  /** Index into the history's runs. */
  run: number;
  scores: Record<string, Tally>;
}

/** Per target (by name), its scores in every run it was in, oldest first. */
export function trends(runs: HistoryRun[]): Map<string, TrendPoint[]> {
  const out = new Map<string, TrendPoint[]>();
  runs.forEach((run, i) => {
    for (const t of run.targets) out.set(t.name, [...(out.get(t.name) ?? []), { run: i, scores: t.scores }]);
  });
  return out;
}

/**
 * A flip is an outcome that held for at most FLAKY_RUNS consecutive runs of the check before the
 * outcome it replaced came back (A→B→A, B lasting 1 or 2 runs). Consecutive flips fold into one
 * "flaky" change; the newest outcome is never a flip (it may yet hold).
 */
export const FLAKY_RUNS = 2;

export type Change =
  /** The outcome changed in run `at` (index into the history's runs), from the previous run of the check. */
  | { kind: "transition"; at: number; from: Outcome; to: Outcome }
  /** `flips` changes back and forth between runs `first` and `last` (indices), ending on `to`. */
  | { kind: "flaky"; first: number; last: number; flips: number; outcomes: Outcome[]; to: Outcome };

interface Segment {
  outcome: Outcome;
  /** Index into the runs of the first run of the segment. */
  start: number;
  length: number;
}

/** The changes of one check in one target, oldest first, from its outcome in each run it was in. */
export function changesOf(sequence: { run: number; outcome: Outcome }[], flakyRuns = FLAKY_RUNS): Change[] {
  const segments: Segment[] = [];
  for (const { run, outcome } of sequence) {
    const last = segments.at(-1);
    if (last?.outcome === outcome) last.length++;
    else segments.push({ outcome, start: run, length: 1 });
  }
  const blip = (i: number) => i > 0 && i < segments.length - 1 && segments[i]!.length <= flakyRuns && segments[i - 1]!.outcome === segments[i + 1]!.outcome;
  const out: Change[] = [];
  for (let i = 1; i < segments.length; i++) {
    if (!blip(i)) {
      out.push({ kind: "transition", at: segments[i]!.start, from: segments[i - 1]!.outcome, to: segments[i]!.outcome });
      continue;
    }
    let j = i;
    while (blip(j + 1)) j++;
    // Segments i..j are flips: the changes into each of them and out of the last one.
    const outcomes = [...new Set(segments.slice(i - 1, j + 2).map((s) => s.outcome))];
    out.push({ kind: "flaky", first: segments[i]!.start, last: segments[j + 1]!.start, flips: j - i + 2, outcomes, to: segments[j + 1]!.outcome });
    i = j + 1;
  }
  return out;
}

/** Check id -> target name -> its changes (only checks and targets with at least one change). */
export function changes(runs: HistoryRun[], flakyRuns = FLAKY_RUNS): Map<string, Map<string, Change[]>> {
  const sequences = new Map<string, Map<string, { run: number; outcome: Outcome }[]>>();
  runs.forEach((run, i) => {
    for (const t of run.targets) {
      for (const [id, outcome] of Object.entries(t.outcomes)) {
        const byTarget = sequences.get(id) ?? new Map();
        sequences.set(id, byTarget);
        byTarget.set(t.name, [...(byTarget.get(t.name) ?? []), { run: i, outcome }]);
      }
    }
  });
  const out = new Map<string, Map<string, Change[]>>();
  for (const [id, byTarget] of [...sequences].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
    for (const [target, sequence] of byTarget) {
      const found = changesOf(sequence, flakyRuns);
      if (!found.length) continue;
      const entry = out.get(id) ?? new Map<string, Change[]>();
      out.set(id, entry.set(target, found));
    }
  }
  return out;
}
