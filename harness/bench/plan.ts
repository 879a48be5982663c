// What a bench run measures and for how long, from the environment. A full run fits in 10 minutes
// on 2 cores, BENCH_QUICK=1 in 90 s; estimate() says beforehand how long the plan will take.
import { UsageError } from "../base/usage-error.js";
import type { BenchReport, ScenarioId } from "./types.js";

export type Plan = BenchReport["plan"] & {
  mode: "full" | "quick";
  /** wrk threads at most (never more than connections). */
  wrkThreads: number;
  /** Seconds the idle connections are held after the measurement, to see the server close them. */
  idleHoldSeconds: number;
  /** Fresh containers started per target to time start-to-first-200. */
  starts: number;
  /** BENCH_FIXED_RATE=0 leaves out the fixed-rate runs, and with them oha. */
  fixedRate: boolean;
};

export const SCENARIO_IDS: ScenarioId[] = ["get-one", "list-20", "list-100", "create", "mixed"];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1, max = 1_000_000): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function list<T extends string | number>(env: NodeJS.ProcessEnv, name: string, fallback: T[], parse: (s: string) => T | undefined, hint: string): T[] {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const out = items.map((s) => {
    const v = parse(s);
    if (v === undefined) throw new UsageError(`${name}: "${s}" is not ${hint}`);
    return v;
  });
  if (!out.length) throw new UsageError(`${name} is empty; ${hint}`);
  return out;
}

export function planFromEnv(env: NodeJS.ProcessEnv = process.env): Plan {
  const quick = env.BENCH_QUICK === "1";
  if (env.BENCH_FIXED_RATE !== undefined && !["", "0", "1"].includes(env.BENCH_FIXED_RATE)) {
    throw new UsageError(`BENCH_FIXED_RATE must be 1 (with fixed-rate runs, the default) or 0 (without, and without oha), got "${env.BENCH_FIXED_RATE}"`);
  }
  if (env.BENCH_QUICK !== undefined && !["", "0", "1"].includes(env.BENCH_QUICK)) {
    throw new UsageError(`BENCH_QUICK must be 1 (quick) or 0 (full), got "${env.BENCH_QUICK}"`);
  }
  const scenarios = list<ScenarioId>(
    env,
    "BENCH_SCENARIOS",
    quick ? ["get-one", "mixed"] : SCENARIO_IDS,
    (s) => ((SCENARIO_IDS as string[]).includes(s) ? (s as ScenarioId) : undefined),
    `one of ${SCENARIO_IDS.join(", ")}`,
  );
  const ladder = list<number>(
    env,
    "BENCH_LADDER",
    quick ? [64] : [1, 16, 64, 256],
    (s) => (/^[1-9][0-9]*$/.test(s) && Number(s) <= 1024 ? Number(s) : undefined),
    "a connection count from 1 to 1024",
  );
  const seconds = int(env, "BENCH_SECONDS", 1, 1, 60);
  const getSeconds = int(env, "BENCH_GET_SECONDS", quick ? 1 : 2, 1, 60);
  const secondsPerRun = Object.fromEntries(scenarios.map((s) => [s, s === "get-one" ? getSeconds : seconds]));
  return {
    mode: quick ? "quick" : "full",
    scenarios,
    ladder: [...new Set(ladder)].sort((a, b) => a - b),
    repeats: int(env, "BENCH_REPEATS", 3, 1, 20),
    secondsPerRun,
    warmupSeconds: int(env, "BENCH_WARMUP_SECONDS", quick ? 0 : 1, 0, 30),
    fixedRateSeconds: int(env, "BENCH_FIXED_RATE_SECONDS", quick ? 1 : 2, 1, 60),
    fixedRateFraction: 0.5,
    fixedRateConnections: 32,
    idleConnections: int(env, "BENCH_IDLE_CONNECTIONS", quick ? 1000 : 10_000, 0, 30_000),
    idleHoldSeconds: quick ? 1 : 2,
    seedUsers: 200,
    spreadThreshold: 0.05,
    generatorBoundFraction: 1 / 3,
    wrkThreads: int(env, "BENCH_WRK_THREADS", 2, 1, 16),
    starts: quick ? 1 : 3,
    fixedRate: env.BENCH_FIXED_RATE !== "0",
  };
}

/** Seconds the plan should take for `targets` servers under test (the responder comes on top). */
export function estimate(plan: Plan, targets: number): number {
  const overhead = 0.15; // wrk start and connection set-up (measured: 0.05–0.1 s)
  const servers = targets + 1;
  let s = 0;
  for (const scenario of plan.scenarios) {
    s += servers * (plan.warmupSeconds + overhead);
    s += servers * plan.ladder.length * plan.repeats * (plan.secondsPerRun[scenario]! + overhead);
    if (plan.fixedRate) s += targets * (plan.fixedRateSeconds + 1);
  }
  s += servers * plan.starts * 0.6 + servers * 1.5; // timed starts, then the load container's start and seeding
  const firstWrite = plan.scenarios.findIndex((x) => x === "create" || x === "mixed");
  if (firstWrite >= 0) s += (plan.scenarios.length - 1 - firstWrite) * servers * 1.0; // fresh containers after a write
  if (plan.idleConnections) s += targets * (2.5 + plan.idleHoldSeconds + plan.idleConnections / 4000);
  return s;
}
