// `npm run bench`: re-measures the seed article's performance claims. The jobs are split as in
// the TechEmpower toolset, one module each under harness/bench/:
//   verify.ts     the gate: only targets that pass every core check are benchmarked
//   tools.ts      the load generators (wrk from Debian, oha from crates.io), installed if missing
//   server.ts     a container per server: host network, pinned to CPU 0, the conformance limits
//   wrk.ts        closed-loop runs (the concurrency ladder) and their parser
//   oha.ts        fixed-rate runs with coordinated-omission correction and their parser
//   scenarios.ts  what each scenario sends; seeding
//   resources.ts  RSS, cgroup memory, 10,000 idle keep-alive connections
//   claims.ts     the article's claims against the numbers
//   write.ts      reports/bench.json (checked against bench.schema.json), bench.html, docs
// docs/benchmarks.md says what is measured and how; BENCH_QUICK=1 is the 90-second path.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildServer, buildImage, imageExists } from "../harness/run/build.js";
import { docker, ensureDocker, startReaper } from "../harness/run/docker.js";
import { ROOT } from "../harness/base/paths.js";
import { resolveTargets, type Target } from "../harness/run/targets.js";
import { exitOnUsageError, UsageError } from "../harness/base/usage-error.js";
import { evaluateClaims } from "../harness/bench/claims.js";
import { renderMarkdown } from "../harness/bench/markdown.js";
import { estimate, planFromEnv, type Plan } from "../harness/bench/plan.js";
import { cgroupOf, cpuSecondsOf, idleConnections, rssOf } from "../harness/bench/resources.js";
import { fixedRate, SCENARIOS, seedUsers, wrkPlan } from "../harness/bench/scenarios.js";
import {
  HOST,
  imageInfo,
  MEMORY_LIMIT,
  NOFILE,
  PIDS_LIMIT,
  removeRunContainers,
  runArgs,
  startServer,
  stopServer,
  type RunOptions,
} from "../harness/bench/server.js";
import { fmtNum, fmtPct, fmtStat, median, stat } from "../harness/bench/stats.js";
import { assertTaskset, ensureOha, ensureWrk } from "../harness/bench/tools.js";
import type {
  BenchReport,
  FixedRatePoint,
  LadderPoint,
  OhaOperation,
  Percentiles,
  ScenarioId,
  TargetPoint,
  TargetResult,
  WrkRun,
} from "../harness/bench/types.js";
import { gateModeFromEnv, verify, type GateMode } from "../harness/bench/verify.js";
import { runWrk, wrkArgs } from "../harness/bench/wrk.js";
import { updateDocs, writeReport } from "../harness/bench/write.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true";

const say = (line: string) => console.error(`[bench] ${line}`);

interface Server {
  name: string;
  image: string;
  imageId: string;
  size: number;
  target?: Target;
  id?: string;
  port?: number;
  pid?: number;
  seeded?: number[];
  starts: number[];
  runStarts: number[];
  idleRss?: number;
  idleCgroup?: number | null;
  ladder: LadderPoint[];
  fixedRate: FixedRatePoint[];
}

function cpusFromEnv() {
  const server = process.env.BENCH_SERVER_CPUS ?? "0";
  const generator = process.env.BENCH_GENERATOR_CPUS ?? "1";
  const n = cpus().length;
  if (n < 2 && !process.env.BENCH_SERVER_CPUS)
    throw new UsageError(
      `bench needs 2 CPUs (one for the server, one for the generator); this machine has ${n}. Set BENCH_SERVER_CPUS and BENCH_GENERATOR_CPUS to share one`,
    );
  for (const [name, v] of [
    ["BENCH_SERVER_CPUS", server],
    ["BENCH_GENERATOR_CPUS", generator],
  ]) {
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(v!)) throw new UsageError(`${name} must be a CPU list such as 0 or 0-1, got "${v}"`);
  }
  return { server, generator };
}

/** A server whose process has gone (its container removed, or the engine restarted, by someone else). */
class ServerGone extends Error {}

/** Each operation and the statuses oha got for it, for a warning: `POST {"201":1200}; GET one {"200":2400}`. */
const statusesOf = (ops: OhaOperation[]) => ops.map((o) => `${o.operation} ${JSON.stringify(o.statuses)}`).join("; ");

function assertAlive(s: Server) {
  if (s.pid && !existsSync(`/proc/${s.pid}`)) {
    throw new ServerGone(
      `${s.name}: its server process is gone (the container was removed or the Docker engine restarted outside this run); ` +
        "what follows could not be trusted, so the run stops and writes nothing",
    );
  }
}

async function prepare(target: Target): Promise<void> {
  if (target.kind === "implementation") await buildImage(target.dir!, target.manifest!, target.image!, (l) => console.error(l));
  else if (!(await imageExists(target.image!)))
    throw new UsageError(`${target.name}: image ${target.image} is not in the Docker engine; build it or \`docker load\` it first`);
}

async function main() {
  const startedAt = new Date();
  const plan = planFromEnv();
  const targets = resolveTargets();
  const url = targets.find((t) => t.kind === "url");
  if (url) throw new UsageError(`${url.name}: a url: target cannot be pinned, started or measured; bench needs an implementation folder or image:<ref>`);
  const cpu = cpusFromEnv();
  const logDriver = process.env.BENCH_LOG_DRIVER ?? "none";
  if (!/^[a-z0-9-]+$/.test(logDriver)) throw new UsageError(`BENCH_LOG_DRIVER must be a docker log driver name such as none or json-file, got "${logDriver}"`);
  const gateMode = gateModeFromEnv();
  await ensureDocker();
  assertTaskset();
  const wrk = await ensureWrk(say);
  const oha = plan.fixedRate ? await ensureOha(say) : null;
  say(`generators: wrk ${wrk.version} (${wrk.path}), ${oha ? `oha ${oha.version} (${oha.path})` : "no oha (BENCH_FIXED_RATE=0: no fixed-rate runs)"}`);

  const runId = `bench-${randomUUID()}`;
  startReaper(runId);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: removing this run's containers`);
    removeRunContainers(runId);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await run(plan, targets, cpu, logDriver, gateMode, runId, wrk, oha, startedAt);
  } finally {
    removeRunContainers(runId);
  }
}

async function run(
  plan: Plan,
  targets: Target[],
  cpu: { server: string; generator: string },
  logDriver: string,
  gateMode: GateMode,
  runId: string,
  wrk: { path: string; version: string },
  oha: { path: string; version: string } | null,
  startedAt: Date,
) {
  const loadStart = loadavg();
  // Everything is built (or found) before anything is timed, so no compile competes with a run.
  const responderTarget = { image: await buildServer("harness/bench/bench-responder", (l) => console.error(l)) };
  for (const t of targets) await prepare(t);

  const infos = new Map<string, { id: string; size: number }>();
  for (const t of targets) infos.set(t.name, await imageInfo(t.image!));
  const gate = await verify(
    targets.map((t) => ({ target: t, imageId: infos.get(t.name)!.id })),
    gateMode,
    say,
  );
  for (const g of gate.targets) say(`verify: ${g.name}: ${g.passed ? "benchmarked" : "NOT benchmarked"} (${g.reason})`);
  const passed = targets.filter((t) => gate.targets.find((g) => g.name === t.name)?.passed);
  if (!passed.length) throw new UsageError("no target passed the conformance gate, so nothing is benchmarked; see the reasons above");

  const t0 = Date.now();
  const est = estimate(plan, passed.length);
  const budget = Number(process.env.BENCH_MAX_SECONDS ?? (plan.mode === "quick" ? 85 : 570));
  say(
    `plan (${plan.mode}): ${passed.length} targets + the responder; ${plan.scenarios.join(", ")}; ladder ${plan.ladder.join("/")}; ` +
      `${plan.repeats} runs per point; about ${Math.round(est)} s; stops starting runs after ${budget} s`,
  );
  const overBudget = () => (Date.now() - t0) / 1000 > budget;
  const warnings: string[] = [];
  const opts: RunOptions = { runId, cpus: cpu.server, logDriver };

  const responderInfo = await imageInfo(responderTarget.image);
  const servers: Server[] = [
    {
      name: "bench-responder",
      image: responderTarget.image,
      imageId: responderInfo.id,
      size: responderInfo.size,
      starts: [],
      runStarts: [],
      ladder: [],
      fixedRate: [],
    },
    ...passed.map((t) => ({
      name: t.name,
      image: t.image!,
      imageId: infos.get(t.name)!.id,
      size: infos.get(t.name)!.size,
      target: t,
      starts: [],
      runStarts: [],
      ladder: [],
      fixedRate: [],
    })),
  ];

  // ---- start to first 200, then the container that takes the load ----
  const peakOf = new Map<string, { rss: number; cgroup: number | null }>();
  /** Notes the container's peaks (they only grow), for the containers a scenario replaces too. */
  const notePeak = (s: Server) => {
    assertAlive(s);
    const was = peakOf.get(s.name);
    const rss = rssOf(s.pid!).hwm;
    const cg = cgroupOf(s.pid!).peak;
    peakOf.set(s.name, { rss: Math.max(rss, was?.rss ?? 0), cgroup: cg === null ? (was?.cgroup ?? null) : Math.max(cg, was?.cgroup ?? 0) });
  };
  /** A fresh load container with the seed users; the first one of each server also gives its idle RSS. */
  const loadContainer = async (s: Server) => {
    if (s.id) {
      notePeak(s);
      await stopServer(s.id);
    }
    const st = await startServer(s.image, opts);
    Object.assign(s, { id: st.id, port: st.port, pid: st.pid });
    s.seeded = await seedUsers(st.port, plan.seedUsers);
    if (s.idleRss === undefined) {
      await sleep(200);
      s.idleRss = rssOf(st.pid).rss;
      s.idleCgroup = cgroupOf(st.pid).usage;
    }
  };
  for (const s of servers) {
    for (let i = 0; i < plan.starts; i++) {
      const st = await startServer(s.image, opts);
      s.starts.push(st.startToFirst200Ms);
      s.runStarts.push(st.runToFirst200Ms);
      await stopServer(st.id);
    }
    await loadContainer(s);
    say(
      `${s.name}: start → first 200 ${s.starts.map((x) => x.toFixed(1)).join(", ")} ms; port ${s.port}; ` +
        `${plan.seedUsers} users seeded; RSS ${(s.idleRss! / 2 ** 20).toFixed(2)} MiB`,
    );
  }
  const first = servers[1]!;
  const top = plan.ladder[plan.ladder.length - 1]!;
  say(`to repeat a GET point by hand: docker ${runArgs(first.image, first.port!, opts).join(" ")}`);
  say(
    `  then: taskset ${wrkArgs({
      wrk: "wrk",
      cpus: cpu.generator,
      url: `http://${HOST}:${first.port}/api/users/${first.seeded![0]}`,
      connections: top,
      threads: Math.min(top, plan.wrkThreads),
      seconds: 5,
      script: "",
    })
      .join(" ")
      .replace(" -s  ", " ")}`,
  );

  let skipped = 0;
  const once = async (s: Server, scenario: ScenarioId, connections: number, seconds: number): Promise<WrkRun | undefined> => {
    assertAlive(s);
    const w = wrkPlan(scenario, s.port!, { first: s.seeded![0]!, last: s.seeded![s.seeded!.length - 1]! });
    const o = {
      wrk: wrk.path,
      cpus: cpu.generator,
      url: w.url,
      connections,
      threads: Math.min(connections, plan.wrkThreads),
      seconds,
      script: w.script,
      env: w.env,
    };
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        return await runWrk(o, SCENARIOS[scenario].ok, () => cpuSecondsOf(s.pid!));
      } catch (e) {
        assertAlive(s);
        if (attempt === 2) warnings.push(`${s.name} ${scenario} ${connections} conn.: wrk failed twice (${(e as Error).message.split("\n")[0]}); run left out`);
      }
    }
    return undefined;
  };
  const loaded = servers.slice(1);
  let written = false;
  for (const scenario of plan.scenarios) {
    // A scenario after a write scenario starts from fresh containers with the same 200 users: a
    // faster server must not carry a bigger store (its own creates) into the next scenario.
    if (written) for (const s of servers) await loadContainer(s);
    written ||= scenario === "create" || scenario === "mixed";

    // ---- the ladder: every point, every repeat, all servers interleaved ----
    const seconds = plan.secondsPerRun[scenario]!;
    if (plan.warmupSeconds) for (const s of servers) await once(s, scenario, Math.min(64, top), plan.warmupSeconds);
    for (const connections of plan.ladder) {
      const runs = new Map<string, WrkRun[]>(servers.map((s) => [s.name, []]));
      for (let r = 0; r < plan.repeats; r++) {
        for (const s of servers) {
          if (overBudget()) {
            skipped++;
            continue;
          }
          const w = await once(s, scenario, connections, seconds);
          if (w) runs.get(s.name)!.push(w);
        }
      }
      const line: string[] = [];
      for (const s of servers) {
        const rs = runs.get(s.name)!;
        if (!rs.length) continue;
        const perCpu = rs.map((x) => x.perServerCpuSecond);
        const shares = rs.map((x) => (x.serverCpuSeconds === null ? null : x.serverCpuSeconds / x.seconds));
        const p: LadderPoint = {
          scenario,
          connections,
          wrkThreads: Math.min(connections, plan.wrkThreads),
          runs: rs,
          rps: stat(
            rs.map((x) => x.rps),
            plan.spreadThreshold,
          ),
          perServerCpuSecond: perCpu.every((x) => x !== null) ? stat(perCpu as number[], plan.spreadThreshold) : null,
          serverCpuShare: shares.every((x) => x !== null) ? median(shares as number[]) : null,
          perGeneratorCpuSecond: rs.every((x) => x.perGeneratorCpuSecond !== null)
            ? stat(
                rs.map((x) => x.perGeneratorCpuSecond!),
                plan.spreadThreshold,
              )
            : null,
        };
        s.ladder.push(p);
        const ceiling = servers[0]!.ladder.find((x) => x.scenario === scenario && x.connections === connections)?.rps.median;
        const bound = s !== servers[0] && ceiling !== undefined && p.rps.median >= ceiling * plan.generatorBoundFraction;
        const cpu = p.perServerCpuSecond ? ` [${fmtNum(p.perServerCpuSecond.median)}/CPU-s, ${fmtPct(p.serverCpuShare!)} of a core]` : "";
        line.push(`${s.name} ${fmtStat(p.rps)}${bound ? " generator-bound" : ""}${cpu}`);
      }
      say(`${scenario} ${connections} conn.: ${line.join(" | ")}`);
    }

    // ---- fixed rate, right after the scenario's ladder: one rate for every target ----
    if (!oha) {
      warnings.push(`${scenario}: no fixed-rate run (BENCH_FIXED_RATE=0)`);
      continue;
    }
    // The slowest run of each target's best point: under noise the median can sit above what the
    // server sustains in a slow second, and a fixed rate above that measures a queue.
    const peaks = loaded.map((s) => {
      const best = s.ladder.filter((p) => p.scenario === scenario).sort((a, b) => b.rps.median - a.rps.median)[0];
      return best ? best.rps.min : 0;
    });
    const slowest = Math.min(...peaks);
    if (!(slowest > 0) || overBudget()) {
      warnings.push(`${scenario}: no fixed-rate run (${slowest > 0 ? "over the time budget" : "no ladder result"})`);
      continue;
    }
    const rate = Math.max(10, Math.round((slowest * plan.fixedRateFraction) / 10) * 10);
    for (const s of loaded) {
      try {
        assertAlive(s);
        const ops = await fixedRate(scenario, rate, {
          oha: oha.path,
          cpus: cpu.generator,
          port: s.port!,
          seconds: plan.fixedRateSeconds,
          connections: plan.fixedRateConnections,
          seeded: s.seeded!,
        });
        const keys = ["p50", "p90", "p99", "p99.9"] as const;
        const empty = ops.filter((o) => keys.some((k) => !Number.isFinite(o.latencyMs[k])));
        if (empty.length) {
          warnings.push(`${s.name} ${scenario} at a fixed rate: no ok responses for ${statusesOf(empty)}; point left out`);
          continue;
        }
        const latencyMs = Object.fromEntries(keys.map((k) => [k, Math.max(...ops.map((o) => o.latencyMs[k]))])) as unknown as Percentiles;
        const total = ops.reduce((n, o) => n + o.requests, 0);
        const ok = ops.reduce(
          (n, o) =>
            n +
            Object.entries(o.statuses)
              .filter(([c]) => /^2\d\d$/.test(c))
              .reduce((a, [, v]) => a + v, 0),
          0,
        );
        const point: FixedRatePoint = { scenario, rate, seconds: plan.fixedRateSeconds, operations: ops, latencyMs, notOk: total ? (total - ok) / total : 0 };
        s.fixedRate.push(point);
        const achieved = ops.reduce((n, o) => n + o.achievedRps, 0);
        if (achieved < rate * 0.95) warnings.push(`${s.name} ${scenario}: oha achieved ${fmtNum(achieved)} of ${fmtNum(rate)} req/s asked`);
        if (point.notOk > 0.05) warnings.push(`${s.name} ${scenario} at a fixed rate: ${fmtPct(point.notOk)} of responses not ok (${statusesOf(ops)})`);
        say(
          `${scenario} at ${fmtNum(rate)} req/s: ${s.name} ` +
            `p50 ${latencyMs.p50.toFixed(2)} p90 ${latencyMs.p90.toFixed(2)} p99 ${latencyMs.p99.toFixed(2)} p99.9 ${latencyMs["p99.9"].toFixed(2)} ms`,
        );
      } catch (e) {
        warnings.push(`${s.name} ${scenario}: fixed-rate run failed (${(e as Error).message.split("\n")[0]})`);
      }
    }
  }
  if (skipped) warnings.push(`the run passed its ${budget} s budget: ${skipped} wrk runs were not started (BENCH_MAX_SECONDS raises it)`);

  // ---- peak memory, then the load containers go ----
  for (const s of loaded) notePeak(s);
  for (const s of servers) await stopServer(s.id!);

  // ---- idle keep-alive connections, each target in a fresh container ----
  const idle = new Map<string, TargetResult["idleConnections"]>();
  if (plan.idleConnections) {
    for (const s of loaded) {
      let st: Awaited<ReturnType<typeof startServer>> | undefined;
      try {
        st = await startServer(s.image, opts);
        const ic = await idleConnections(st.pid, st.port, plan.idleConnections, cpu.generator, plan.idleHoldSeconds);
        idle.set(s.name, ic);
        say(
          `${s.name}: ${fmtNum(ic.held)} idle connections: RSS +${fmtNum((ic.rssAfterBytes - ic.rssBeforeBytes) / 1024)} KiB, ` +
            `${ic.rssPerConnectionBytes?.toFixed(0) ?? "n/a"} B per connection (${ic.note})`,
        );
      } catch (e) {
        warnings.push(`${s.name}: idle-connection step failed (${(e as Error).message.split("\n")[0]})`);
        idle.set(s.name, null);
      } finally {
        if (st) await stopServer(st.id);
      }
    }
  }

  // ---- assemble, judge, write ----
  const responder = servers[0]!;
  const ceilingAt = (scenario: ScenarioId, c: number) => responder.ladder.find((p) => p.scenario === scenario && p.connections === c)?.rps.median ?? null;
  const results: TargetResult[] = loaded.map((s) => ({
    name: s.name,
    image: s.image,
    imageId: s.imageId,
    framework: s.target?.manifest?.framework ?? null,
    language: s.target?.manifest?.language ?? null,
    profiles: s.target?.profiles ?? [],
    imageSizeBytes: s.size,
    startToFirst200Ms: stat(s.starts, Infinity),
    runToFirst200Ms: stat(s.runStarts, Infinity),
    memory: {
      idleRssBytes: s.idleRss!,
      peakRssBytes: peakOf.get(s.name)!.rss,
      idleCgroupBytes: s.idleCgroup ?? null,
      peakCgroupBytes: peakOf.get(s.name)!.cgroup,
    },
    idleConnections: idle.get(s.name) ?? null,
    ladder: s.ladder.map((p): TargetPoint => {
      const ceilingRps = ceilingAt(p.scenario, p.connections);
      return { ...p, ceilingRps, generatorBound: ceilingRps !== null && p.rps.median >= ceilingRps * plan.generatorBoundFraction };
    }),
    fixedRate: s.fixedRate,
  }));
  for (const t of results) {
    for (const p of t.ladder) {
      if (p.rps.flagged)
        warnings.push(`${t.name} ${p.scenario} ${p.connections} conn.: spread ${fmtPct(p.rps.spread)} (runs ${p.rps.values.map((v) => fmtNum(v)).join(", ")})`);
      if (p.generatorBound)
        warnings.push(
          `${t.name} ${p.scenario} ${p.connections} conn.: generator-bound (${fmtNum(p.rps.median)} req/s against a ceiling of ${fmtNum(p.ceilingRps!)})`,
        );
      const notDone = p.runs.reduce((n, r) => n + r.otherStatuses, 0);
      const all = p.runs.reduce((n, r) => n + r.requests, 0);
      if (all && notDone / all > 0.001)
        warnings.push(
          `${t.name} ${p.scenario} ${p.connections} conn.: ${fmtNum(notDone)} of ${fmtNum(all)} responses not done ` +
            `(${JSON.stringify(p.runs[0]!.statuses)} in the first run)`,
        );
    }
  }
  for (const scenario of plan.scenarios) {
    const c = Math.max(0, ...responder.ladder.filter((p) => p.scenario === scenario).map((p) => p.rps.median));
    const fastest = Math.max(0, ...results.flatMap((t) => t.ladder.filter((p) => p.scenario === scenario).map((p) => p.rps.median)));
    if (fastest > 0 && c < 3 * fastest)
      warnings.push(`${scenario}: the generator's ceiling (${fmtNum(c)} req/s) is less than 3× the fastest target (${fmtNum(fastest)})`);
  }
  const loadEnd = loadavg();
  const cores = cpus().length;
  if (Math.max(loadStart[0]!, loadEnd[0]!) > cores * 0.75) {
    warnings.push(
      `the machine was busy: load average ${loadStart[0]!.toFixed(1)} at the start and ${loadEnd[0]!.toFixed(1)} at the end on ${cores} cores; ` +
        "the numbers are noisier than on a quiet machine",
    );
  }
  const finishedAt = new Date();
  const report: BenchReport = {
    schema: "crud-conformance/bench/v1",
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    mode: plan.mode,
    machine: {
      cores,
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      memoryGiB: totalmem() / 2 ** 30,
      kernel: release(),
      docker: await docker("version", "--format", "{{.Server.Version}}").catch(() => "unknown"),
      node: process.version,
      loadAverageStart: loadStart,
      loadAverageEnd: loadEnd,
      note: process.env.BENCH_MACHINE_NOTE ?? null,
    },
    setup: {
      network: "host",
      host: HOST,
      serverCpus: cpu.server,
      generatorCpus: cpu.generator,
      memoryLimitBytes: MEMORY_LIMIT,
      pidsLimit: PIDS_LIMIT,
      nofile: NOFILE,
      logDriver,
    },
    generators: { wrk: { version: wrk.version, path: wrk.path, maxThreads: plan.wrkThreads }, oha: oha && { version: oha.version, path: oha.path } },
    plan: {
      scenarios: plan.scenarios,
      ladder: plan.ladder,
      repeats: plan.repeats,
      secondsPerRun: plan.secondsPerRun,
      warmupSeconds: plan.warmupSeconds,
      fixedRateSeconds: plan.fixedRateSeconds,
      fixedRateFraction: plan.fixedRateFraction,
      fixedRateConnections: plan.fixedRateConnections,
      idleConnections: plan.idleConnections,
      seedUsers: plan.seedUsers,
      spreadThreshold: plan.spreadThreshold,
      generatorBoundFraction: plan.generatorBoundFraction,
    },
    scenarios: plan.scenarios.map((s) => SCENARIOS[s]),
    gate,
    ceiling: { name: responder.name, image: responder.image, imageSizeBytes: responder.size, ladder: responder.ladder },
    targets: results,
    claims: [],
    warnings,
  };
  report.claims = evaluateClaims(report);
  const dir = process.env.BENCH_REPORT_DIR ?? join(ROOT, "reports");
  const files = writeReport(report, dir);
  const docs = process.env.BENCH_DOCS ?? (plan.mode === "full" ? "1" : "0");
  if (docs === "1") updateDocs(report);
  console.log(renderMarkdown(report));
  say(
    `wrote ${files.json} and ${files.html}${docs === "1" ? " and docs/benchmarks.md" : ""}; ` +
      `${Math.round(report.wallSeconds)} s in all, ${Math.round((Date.now() - t0) / 1000)} s of measurement (estimate was ${Math.round(est)} s)`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ServerGone) {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  }
  if (error instanceof UsageError) exitOnUsageError(error, "bench");
  // Anything else (an engine that went away, a tool that crashed): one line, the stack on request.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`bench: ${message.split("\n")[0]}${process.env.BENCH_DEBUG ? `\n${(error as Error).stack ?? ""}` : " (BENCH_DEBUG=1 shows the stack)"}`);
  process.exit(1);
});
