// Soak: runs `npm run conformance` again and again on a loaded machine, kills some runs part-way,
// and prints the checks whose outcome was not the same in every finished run (flaky) and the
// containers any run left behind. `npm run soak`; it asserts nothing, it counts.
//
//   SOAK_RUNS    finished runs (default 20)
//   SOAK_KILLS   runs killed part-way, of each kind: SIGINT and SIGKILL (default 10)
//   SOAK_SEED    seed of the kill points and of the order of the runs (default 1)
//   SOAK_URL     implementation folder served as the url: target (default rust-axum)
//   SOAK_BUSY    busy loops beside the runs (default: one per core)
//
// Each run checks every implementation folder plus one url: target: a container this script
// starts itself, shared by every suite file of every run, so its checks must hold on a shared
// server. Every run, the busy loops and the url: container are bounded: a run that takes longer
// than SOAK_RUN_TIMEOUT_S (default 300) is killed and counted as hung.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildImage } from "../harness/run/build.js";
import { docker, ensureDocker, LABEL } from "../harness/run/docker.js";
import { implementationNames } from "../harness/run/manifest.js";
import { ROOT } from "../harness/base/paths.js";
import type { Report } from "../harness/report/types.js";
import { implementationTarget } from "../harness/run/targets.js";
import { exitOnUsageError, UsageError } from "../harness/base/usage-error.js";

function count(name: string, fallback: number) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  return n;
}

/** mulberry32: a small seeded generator, so that a soak can be run again with the same kill points. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOAK_LABEL = "crud-conformance.soak";

/**
 * Each run of this soak has its own run id (CONFORMANCE_RUN_ID), so that only its containers count,
 * and so that a killed run's reaper, which sweeps for about 10 s more, never removes the next
 * run's containers.
 */
const SOAK_ID = `soak-${process.pid}-${Date.now()}`;
let runs = 0;
/** The run in progress: stopping the soak interrupts it too, as Ctrl-C would. */
let current: ChildProcess | undefined;
const leftBehind = async (runId: string) => (await docker("ps", "-aq", "--filter", `label=${LABEL}=${runId}`)).split("\n").filter(Boolean);

type Kind = "finish" | "SIGINT" | "SIGKILL";
interface Outcome {
  kind: Kind;
  code: number | null;
  seconds: number;
  hung: boolean;
  left: number;
  /** For a kill: whether the signal reached the run while it was still running. */
  landed: boolean;
  report?: Report;
}

async function startUrlServer(name: string) {
  const target = implementationTarget(join(ROOT, "implementations", name));
  await buildImage(target.dir!, target.manifest!, target.image!);
  const id = await docker("run", "-d", "--rm", "--label", `${SOAK_LABEL}=1`, "-e", "PORT=3000", "-p", "127.0.0.1::3000", target.image!);
  const port = (await docker("port", id, "3000/tcp")).split("\n")[0]!.split(":").pop();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { id, url };
    await sleep(100);
  }
  await docker("rm", "-f", id);
  throw new UsageError(`the url: server (${name}) did not answer GET /health within 10 s`);
}

/** One `npm run conformance`, in its own process group so that a kill reaches all of it, as Ctrl-C would. */
async function run(kind: Kind, killAfterMs: number, targets: string, timeoutS: number): Promise<Outcome> {
  const reports = mkdtempSync(join(tmpdir(), "soak-"));
  const runId = `${SOAK_ID}-${++runs}`;
  const started = Date.now();
  const child: ChildProcess = spawn("npm", ["run", "-s", "conformance"], {
    cwd: ROOT,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, CONFORMANCE_TARGETS: targets, CONFORMANCE_REPORT_DIR: reports, CONFORMANCE_RUN_ID: runId },
  });
  current = child;
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let landed = false;
  const kill = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
      if (signal === kind) landed = true;
    } catch {}
  };
  const timers = [kind !== "finish" && setTimeout(() => kill(kind), killAfterMs), setTimeout(() => kill("SIGKILL"), timeoutS * 1000)];
  const code = await exited;
  for (const t of timers) if (t) clearTimeout(t);
  const seconds = (Date.now() - started) / 1000;
  // The reaper polls once a second and sweeps for about 10 s more; then whatever is there was left.
  let left = (await leftBehind(runId)).length;
  for (let i = 0; i < 30 && left; i++) {
    await sleep(500);
    left = (await leftBehind(runId)).length;
  }
  if (left) await docker("rm", "-f", ...(await leftBehind(runId))); // counted once: the next run starts clean
  let report: Report | undefined;
  try {
    report = JSON.parse(readFileSync(join(reports, "conformance.json"), "utf8"));
  } catch {}
  rmSync(reports, { recursive: true, force: true });
  return { kind, code, seconds, hung: seconds >= timeoutS, left, landed, ...(kind === "finish" && report ? { report } : {}) };
}

function busyLoops(n: number) {
  return Array.from({ length: n }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
}

async function main() {
  const runs = count("SOAK_RUNS", 20);
  const kills = count("SOAK_KILLS", 10);
  const rand = random(count("SOAK_SEED", 1));
  const timeoutS = count("SOAK_RUN_TIMEOUT_S", 300);
  const urlImpl = process.env.SOAK_URL ?? "rust-axum";
  if (!implementationNames().includes(urlImpl))
    throw new UsageError(`SOAK_URL: unknown implementation "${urlImpl}"; known: ${implementationNames().join(", ")}`);

  await ensureDocker();
  // A warm-up run builds what is missing, so that kill points fall in checks, not in cargo.
  console.log("soak: warm-up run (builds the images if needed) ...");
  // Ctrl-C from here on removes the busy loops and the url: server, whichever exist yet.
  const busy: ChildProcess[] = [];
  let server: { id: string; url: string } | undefined;
  const stop = () => {
    for (const b of busy) b.kill("SIGKILL");
    try {
      if (current?.exitCode === null) process.kill(-current.pid!, "SIGINT");
    } catch {}
    try {
      if (server) execFileSync("docker", ["rm", "-f", server.id], { stdio: "ignore" }); // synchronous: the process exits next
    } catch {}
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      stop();
      process.exit(130);
    });
  server = await startUrlServer(urlImpl);
  const targets = [...implementationNames(), `url:${server.url}`].join(",");
  const warm = await run("finish", 0, targets, 1800);
  if (warm.code !== 0) throw new UsageError(`the warm-up run exited ${warm.code}: fix the failing checks first (npm run conformance)`);
  // Kill points spread over a typical run: the median finished run so far (the warm-up may have built images).
  const typical = () => {
    const done = outcomes
      .filter((o) => o.kind === "finish")
      .map((o) => o.seconds)
      .sort((a, b) => a - b);
    return (done.length ? done[done.length >> 1]! : warm.seconds) * 1000;
  };

  const plan: Kind[] = [...Array(runs).fill("finish"), ...Array(kills).fill("SIGINT"), ...Array(kills).fill("SIGKILL")];
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }

  busy.push(...busyLoops(count("SOAK_BUSY", availableParallelism())));
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < plan.length; i++) {
      const kind = plan[i]!;
      // Kill points spread over the whole of a run: set-up, the checks, and the report at the end.
      const at = kind === "finish" ? 0 : Math.round(500 + rand() * typical());
      const o = await run(kind, at, targets, timeoutS);
      outcomes.push(o);
      const failed = o.report?.targets.flatMap((t) => t.checks.filter((c) => c.outcome === "failed").map((c) => `${t.name} ${c.id}`)) ?? [];
      const failures = failed.length ? `, failed: ${failed.join(", ")}` : "";
      console.log(
        `soak: ${String(i + 1).padStart(2)}/${plan.length} ${kind.padEnd(7)}${kind === "finish" ? "" : ` at ${(at / 1000).toFixed(1)} s`}: ` +
          `exit ${o.code ?? "signal"} after ${o.seconds.toFixed(1)} s, ${o.left} containers left${failures}${o.hung ? ", HUNG" : ""}` +
          (kind !== "finish" && !o.landed ? "; it had finished before the signal, so another kill is drawn" : ""),
      );
      // A kill only counts when it lands: draw another (at most as many again) for one that did not.
      if (kind !== "finish" && !o.landed && plan.length < 2 * (runs + 2 * kills)) plan.push(kind);
    }
  } finally {
    stop();
  }

  // A check is flaky when its outcome was not the same in every finished run, or when it failed
  // the run in any of them.
  const seen = new Map<string, Map<string, number>>();
  const reasons = new Map<string, string>();
  const finished = outcomes.filter((o) => o.report);
  for (const o of finished) {
    for (const t of o.report!.targets) {
      const target = t.name.startsWith("url:") ? "url:<soak server>" : t.name;
      for (const c of t.checks) {
        const key = `${target} ${c.id}`;
        const tally = seen.get(key) ?? new Map<string, number>();
        // A failure that does not fail the run (an unclaimed profile, an expected failure) and
        // happens every time is not flaky: Rocket's SLOW-01 is such a one.
        const outcome = c.outcome === "failed" && c.gating === false ? "failed, not gating" : c.outcome;
        tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
        seen.set(key, tally);
        if (c.outcome === "failed" && c.reason) reasons.set(key, c.reason);
      }
    }
  }
  const flaky = [...seen].filter(([, tally]) => tally.size > 1 || tally.has("failed"));
  const summary = {
    runs: finished.length,
    nonZeroExits: finished.filter((o) => o.code !== 0).length,
    missingReports: outcomes.filter((o) => o.kind === "finish" && !o.report).length,
    killed: {
      SIGINT: outcomes.filter((o) => o.kind === "SIGINT" && o.landed).length,
      SIGKILL: outcomes.filter((o) => o.kind === "SIGKILL" && o.landed).length,
    },
    hung: outcomes.filter((o) => o.hung).length,
    flakyChecks: flaky.map(([key, tally]) => ({ check: key, ...Object.fromEntries(tally), reason: reasons.get(key) ?? null })),
    containersLeftBehind: outcomes.reduce((n, o) => n + o.left, 0),
    runSeconds: finished.map((o) => Math.round(o.seconds * 10) / 10),
  };
  mkdirSync(join(ROOT, "reports"), { recursive: true });
  writeFileSync(join(ROOT, "reports/soak.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const secs = [...summary.runSeconds].sort((a, b) => a - b);
  console.log(
    `\nsoak: ${summary.runs} finished runs (median ${secs[secs.length >> 1] ?? "-"} s, ${secs[0] ?? "-"}–${secs.at(-1) ?? "-"} s), ` +
      `${summary.killed.SIGINT} killed with SIGINT, ${summary.killed.SIGKILL} with SIGKILL, ${summary.hung} hung`,
  );
  console.log(`soak: flaky checks: ${flaky.length}`);
  for (const f of summary.flakyChecks) console.log(`  ${f.check}: ${JSON.stringify(f)}`);
  console.log(`soak: containers left behind: ${summary.containersLeftBehind}`);
  console.log(`soak: non-zero exits of finished runs: ${summary.nonZeroExits}; reports/soak.json written`);
}

main().catch((e) => {
  exitOnUsageError(e, "soak");
});
