// The summary of a run as markdown: printed at the end of a run, written into docs/benchmarks.md,
// and rendered into reports/bench.html.
import { peak } from "./claims.js";
import { fmtBytes, fmtNum, fmtPct, fmtStat } from "./stats.js";
import type { BenchReport, LadderPoint, ScenarioId, Stat } from "./types.js";

/** A markdown table; `text` columns are left-aligned, the others (numbers) right-aligned. */
const table = (head: string[], rows: string[][], text: number[] = [0]) =>
  [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (text.includes(i) ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** "6.6 (1.2 to 9.0)": the median and the range, for values whose spread means little (a few ms). */
const range = (s: Stat, digits: number) =>
  s.values.length > 1 ? `${fmtNum(s.median, digits)} (${fmtNum(s.min, digits)} to ${fmtNum(s.max, digits)})` : fmtNum(s.median, digits);

const ms = (x: number) => (Number.isFinite(x) ? (x >= 10 ? x.toFixed(1) : x.toFixed(2)) : "n/a");

export function renderMarkdown(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  const title = (id: ScenarioId) => r.scenarios.find((s) => s.id === id)?.title ?? id;
  const { wrk, oha } = r.generators;
  const fixedRate = oha ? ` and oha ${oha.version} (fixed rate)` : " (no fixed-rate runs: BENCH_FIXED_RATE=0)";
  out.push(
    `Run: \`${r.mode === "quick" ? "BENCH_QUICK=1 " : ""}npm run bench\` (${r.mode}), ${r.startedAt}, ${Math.round(r.wallSeconds)} s wall time.`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB.toFixed(1)} GiB, Linux ${m.kernel}, Docker ${m.docker}, Node ${m.node}; ` +
      `load average ${m.loadAverageStart.map((x) => x.toFixed(1)).join("/")} at the start, ${m.loadAverageEnd.map((x) => x.toFixed(1)).join("/")} at the end.` +
      (m.note ? ` ${m.note}` : ""),
    `Setup: each server in its container on the host's network at ${r.setup.host}, pinned to CPU ${r.setup.serverCpus} (\`--cpuset-cpus\`), ` +
      `memory ${fmtBytes(r.setup.memoryLimitBytes)}, pids ${r.setup.pidsLimit}, nofile ${r.setup.nofile}, log driver \`${r.setup.logDriver}\`; ` +
      `wrk ${wrk.version} (closed loop, up to ${wrk.maxThreads} threads)${fixedRate} pinned to CPU ${r.setup.generatorCpus} (\`taskset\`).`,
    `Plan: ladder ${r.plan.ladder.join(", ")} connections, ${r.plan.repeats} runs per point (${Object.entries(r.plan.secondsPerRun)
      .map(([s, n]) => `${s} ${n} s`)
      .join(", ")}, after a ${r.plan.warmupSeconds} s warm-up per server and scenario), ` +
      `runs of all servers interleaved; fixed rate ${r.plan.fixedRateSeconds} s at ${fmtPct(r.plan.fixedRateFraction)} of the slowest target's peak; ` +
      `spread = (max − min) / median, ⚠ above ${fmtPct(r.plan.spreadThreshold)}; ` +
      `"generator-bound" where a median reaches ${fmtPct(r.plan.generatorBoundFraction)} of the trivial responder's.`,
    "",
  );

  out.push("### Verify (conformance gate)", "");
  const finished = r.gate.reportFinishedAt ? `, finished ${r.gate.reportFinishedAt}` : "";
  out.push(`Source: ${r.gate.source}${r.gate.report ? ` (${r.gate.report}${finished})` : ""}, ${r.gate.seconds.toFixed(0)} s.`, "");
  out.push(
    table(
      ["target", "benchmarked", "why"],
      r.gate.targets.map((g) => [g.name, g.passed ? "yes" : "**no**", g.reason]),
      [0, 1, 2],
    ),
    "",
  );

  out.push("### The seed article's claims", "");
  out.push(
    table(
      ["claim", "verdict", "measured"],
      r.claims.map((c) => [c.claim, `**${c.verdict}**`, c.measured]),
      [0, 1, 2],
    ),
    "",
  );

  out.push("### Generator ceiling", "");
  out.push(
    `The trivial responder (harness/bench/bench-responder, ${fmtBytes(r.ceiling.imageSizeBytes)}) in the same setup, ` +
      "at each scenario's best point, against the fastest target there. " +
      "The responder's req/s is the ceiling of this setup (generator and responder together); " +
      "wrk's requests per CPU-second of its own is the generator's capacity alone, " +
      "set beside the fastest target's requests per server CPU-second: both ratios should be 3× or more.",
    "",
    table(
      [
        "scenario",
        "responder req/s",
        "fastest target",
        "its req/s",
        "ceiling ÷ fastest",
        "wrk req per wrk CPU-s",
        "fastest's req per server CPU-s",
        "capacity ÷ fastest",
      ],
      r.plan.scenarios.map((s) => {
        const c = r.ceiling.ladder.filter((p) => p.scenario === s).sort((a, b) => b.rps.median - a.rps.median)[0];
        const best = r.targets
          .map((t) => ({ t, p: peak(t, s) }))
          .filter((x) => x.p)
          .sort((a, b) => b.p!.rps.median - a.p!.rps.median)[0];
        const ratio = (a: number | undefined, b: number | undefined) => {
          const x = a !== undefined && b ? a / b : NaN;
          return Number.isFinite(x) ? `${x.toFixed(1)}×${x < 3 ? " (below 3×)" : ""}` : "n/a";
        };
        const capacity = c?.perGeneratorCpuSecond?.median;
        const fastestCpu = Math.max(0, ...r.targets.map((t) => peak(t, s)?.perServerCpuSecond?.median ?? 0)) || undefined;
        return [
          title(s),
          c ? fmtStat(c.rps) : "n/a",
          best?.t.name ?? "n/a",
          best ? fmtStat(best.p!.rps) : "n/a",
          ratio(c?.rps.median, best?.p?.rps.median),
          capacity !== undefined ? fmtStat(c!.perGeneratorCpuSecond!) : "n/a",
          fastestCpu !== undefined ? fmtNum(fastestCpu) : "n/a",
          ratio(capacity, fastestCpu),
        ];
      }),
      [0, 2],
    ),
    "",
  );

  out.push("### Throughput: req/s, median (spread) of the runs", "");
  out.push("Counted: responses with a done status (see each scenario) per second. ⚠ spread above the threshold; GB generator-bound.", "");
  for (const s of r.plan.scenarios) {
    const sc = r.scenarios.find((x) => x.id === s)!;
    out.push(`**${sc.title}**: ${sc.requests}.`, "");
    const rows = r.targets.map((t) => [
      t.name,
      ...r.plan.ladder.map((c) => {
        const p = t.ladder.find((x) => x.scenario === s && x.connections === c);
        if (!p) return "n/a";
        const other = p.runs.reduce((n, x) => n + x.otherStatuses + x.socketErrors, 0);
        return `${fmtStat(p.rps)}${p.generatorBound ? " GB" : ""}${other ? ` (${fmtNum(other)} not done)` : ""}`;
      }),
    ]);
    const ceilingRow = [
      `*responder (ceiling)*`,
      ...r.plan.ladder.map((c) => {
        const p = r.ceiling.ladder.find((x) => x.scenario === s && x.connections === c);
        return p ? fmtStat(p.rps) : "n/a";
      }),
    ];
    out.push(table(["target", ...r.plan.ladder.map((c) => `${c} conn.`)], [...rows, ceilingRow]), "");
  }

  out.push("### Cost per request: done responses per CPU-second of the server", "");
  out.push(
    "At each target's best ladder point: responses ÷ the CPU time its container used (cgroup accounting), median (spread), " +
      "and the share of one core it got. " +
      "Other tenants of the machine change this far less than req/s: a server that gets half the core serves half as many requests in the same CPU time. " +
      "It counts the server's side only; the kernel's loopback work is split between the server and the generator.",
    "",
  );
  const cpuCell = (p: LadderPoint | undefined) =>
    p?.perServerCpuSecond ? `${fmtStat(p.perServerCpuSecond)}, ${fmtPct(p.serverCpuShare ?? 0)} of a core` : "n/a";
  out.push(
    table(
      ["target", ...r.plan.scenarios.map(title)],
      [
        ...r.targets.map((t) => [t.name, ...r.plan.scenarios.map((s) => cpuCell(peak(t, s)))]),
        [
          "*responder*",
          ...r.plan.scenarios.map((s) => cpuCell(r.ceiling.ladder.filter((p) => p.scenario === s).sort((a, b) => b.rps.median - a.rps.median)[0])),
        ],
      ],
    ),
    "",
  );

  out.push("### Latency at a fixed rate (coordinated omission corrected), ms", "");
  out.push(
    "oha `-q <rate> --latency-correction`, ok responses only. " +
      "For the mixed workload, one oha per operation at its share of the rate; the row shows the worst operation at each percentile.",
    "",
  );
  const lrows: string[][] = [];
  for (const s of r.plan.scenarios) {
    for (const t of r.targets) {
      const f = t.fixedRate.find((x) => x.scenario === s);
      if (!f) continue;
      lrows.push([
        title(s),
        t.name,
        fmtNum(f.rate),
        ms(f.latencyMs.p50),
        ms(f.latencyMs.p90),
        ms(f.latencyMs.p99),
        ms(f.latencyMs["p99.9"]),
        f.notOk ? fmtPct(f.notOk) : "0",
      ]);
    }
  }
  out.push(table(["scenario", "target", "rate req/s", "p50", "p90", "p99", "p99.9", "not ok"], lrows, [0, 1]), "");

  out.push("### Resources", "");
  out.push(
    table(
      [
        "target",
        "image",
        "start → first 200 ms, median (range)",
        "docker run → first 200 ms",
        "RSS idle",
        "RSS peak",
        "idle conns held",
        "RSS per idle conn.",
        "cgroup per idle conn.",
      ],
      r.targets.map((t) => {
        const ic = t.idleConnections;
        return [
          t.name,
          fmtBytes(t.imageSizeBytes),
          range(t.startToFirst200Ms, 1),
          range(t.runToFirst200Ms, 0),
          fmtBytes(t.memory.idleRssBytes),
          fmtBytes(t.memory.peakRssBytes),
          ic ? `${fmtNum(ic.held)} of ${fmtNum(ic.requested)}` : "n/a",
          ic ? fmtBytes(ic.rssPerConnectionBytes) : "n/a",
          ic ? fmtBytes(ic.cgroupPerConnectionBytes) : "n/a",
        ];
      }),
    ),
    "",
  );
  out.push(
    "start → first 200 counts from the engine's `State.StartedAt`, which the engine records once the process runs: " +
      "a value near or below 0 means the server answered before that timestamp, and only the `docker run` column bounds it from above.",
    "",
  );
  const notes = r.targets.filter((t) => t.idleConnections?.note).map((t) => `- ${t.name}: ${t.idleConnections!.note}`);
  if (notes.length) out.push("Idle connections:", "", ...notes, "");
  if (r.warnings.length) out.push("### Warnings", "", ...r.warnings.map((w) => `- ${w}`), "");
  return out.join("\n");
}
