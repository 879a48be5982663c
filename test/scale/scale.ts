// Scale: the same verdicts at 80 targets as at one. Runs `npm run conformance` with N image targets
// of the fault-free broken server (fixtures/broken with FAULT unset) for each N, and counts the
// checks whose outcome differs from the run with one target. `npm run scale`; it prints its figures
// and exits 1 when any outcome differs.
//
//   SCALE_N        the runs' sizes, in order (default 1,10,40,80); the first is the reference
//   SCALE_OTHERS   copies: every target is a copy of the correct server (default)
//                  faults: one correct server among N - 1 broken ones (FAULT=<name>, each running
//                  every check); only the correct one's outcomes are compared
//   SCALE_CHECKS   CONFORMANCE_CHECKS of every run (default: every check)
//   SCALE_JSON     also write the figures to this file
//
// Each target is an image: target, so nothing in the run knows it is a copy. Wall time, and the
// machine's busy core-seconds (from /proc/stat: the harness, the engine and the servers alike),
// are printed per run and per target.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer } from "../../harness/run/build.js";
import { docker, ensureDocker } from "../../harness/run/docker.js";
import { FAULTS } from "../faults/faults.js";
import { ROOT } from "../../harness/base/paths.js";
import type { Outcome } from "../../harness/check/check.js";
import type { Report } from "../../harness/report/types.js";
import { exitOnUsageError, UsageError } from "../../harness/base/usage-error.js";

export interface ScaleRun {
  n: number;
  seconds: number;
  /** CPU seconds: the harness (this run's process tree), the servers (the engine's cgroup), dockerd and containerd, and the whole machine. */
  cpu: Cpu;
  /** Checks run against the compared targets, and how many of them got another outcome than at N = sizes[0]. */
  compared: number;
  differences: { target: string; id: string; outcome: Outcome; reference: Outcome; reason?: string }[];
  exitCode: number;
}

const REPO = "crud-conformance-scale";

const TICK = 100; // USER_HZ: /proc's CPU times are in 1/100 s

/** CPU seconds spent so far, by whom (Linux /proc and cgroup v1 or v2 files; 0 where one is missing). */
function cpu() {
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const [, ...all] = read("/proc/stat").split("\n")[0]!.trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = all.map(Number); // idle and iowait are not busy
  /** utime + stime (fields 14, 15), and cutime + cstime (16, 17): the children waited for, this run's whole tree. */
  const times = (pid: string, from: number) =>
    read(`/proc/${pid}/stat`)
      .replace(/^.*\) /, "")
      .split(" ")
      .slice(from - 3, from - 1)
      .map(Number)
      .reduce((a, b) => a + b, 0);
  const pids = (name: string) => execFileSync("pgrep", ["-x", name], { encoding: "utf8" }).split("\n").filter(Boolean);
  const engine = ["dockerd", "containerd"].flatMap((n) => {
    try {
      return pids(n);
    } catch {
      return [];
    }
  });
  const v1 = read("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage");
  const v2 = /usage_usec (\d+)/.exec(read("/sys/fs/cgroup/system.slice/cpu.stat"))?.[1];
  return {
    machine: (user + nice + system + irq + softirq + steal) / TICK,
    harness: times("self", 16) / TICK,
    servers: v1 ? Number(v1) / 1e9 : v2 ? Number(v2) / 1e6 : 0,
    engine: engine.reduce((sum, pid) => sum + times(pid, 14), 0) / TICK,
  };
}
type Cpu = ReturnType<typeof cpu>;
const minus = (a: Cpu, b: Cpu): Cpu => ({
  machine: a.machine - b.machine,
  harness: a.harness - b.harness,
  servers: a.servers - b.servers,
  engine: a.engine - b.engine,
});

function sizes(raw = process.env.SCALE_N ?? "1,10,40,80"): number[] {
  const n = raw.split(",").map((s) => s.trim());
  if (!n.every((s) => /^[1-9]\d*$/.test(s))) throw new UsageError(`SCALE_N: "${raw}" is not a list of positive whole numbers, e.g. 1,10,40,80`);
  return n.map(Number);
}

/** The images of one run: the correct server first, then copies of it or broken servers. */
async function images(base: string, n: number, others: "copies" | "faults"): Promise<string[]> {
  const tag = base.split(":").pop()!;
  const correct = `${REPO}/copy-1:${tag}`;
  await docker("tag", base, correct);
  const rest: string[] = [];
  for (let i = 2; i <= n; i++) {
    // Each target its own tag (a run names each image once), of the correct image or of a broken one.
    let source = base;
    let name = "copy";
    if (others === "faults") {
      name = `fault-${FAULTS[(i - 2) % FAULTS.length]!.fault}`;
      source = `${REPO}/${name}:${tag}`;
      if (!(await docker("image", "ls", "-q", source))) await buildWithFault(base, name.slice("fault-".length), source);
    }
    rest.push(`${REPO}/${name}-${i}:${tag}`);
    await docker("tag", source, rest.at(-1)!);
  }
  return [correct, ...rest];
}

/** FROM the broken server's image, with FAULT set: a local base, so it builds offline. */
function buildWithFault(base: string, fault: string, image: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("docker", ["build", "-q", "-t", image, "-"], { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, DOCKER_BUILDKIT: "0" } });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new UsageError(`docker build of ${image} exited ${code}: ${err.trim().split("\n").pop()}`))));
    child.stdin.end(`FROM ${base}\nENV FAULT=${fault}\n`);
  });
}

/** One conformance run over `targets`; its report, wall time and the machine's busy core-seconds. */
function conformance(targets: string[], checks: string | undefined) {
  const reports = mkdtempSync(join(tmpdir(), "crud-conformance-scale-"));
  const started = Date.now();
  const before = cpu();
  return new Promise<{ report: Report; seconds: number; cpu: Cpu; exitCode: number }>((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", "conformance"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        CONFORMANCE_TARGETS: targets.map((i) => `image:${i}`).join(","),
        CONFORMANCE_REPORT_DIR: reports,
        ...(checks ? { CONFORMANCE_CHECKS: checks } : {}),
      },
    });
    const stop = () => child.kill("SIGINT");
    process.once("SIGINT", stop);
    child.on("close", (code) => {
      process.off("SIGINT", stop);
      const seconds = (Date.now() - started) / 1000;
      const used = minus(cpu(), before);
      try {
        const report = JSON.parse(readFileSync(join(reports, "conformance.json"), "utf8")) as Report;
        resolve({ report, seconds, cpu: used, exitCode: code ?? 1 });
      } catch {
        reject(new UsageError(`the run of ${targets.length} targets exited ${code} and wrote no report`));
      } finally {
        rmSync(reports, { recursive: true, force: true });
      }
    });
  });
}

const outcomes = (report: Report, target: string) => new Map((report.targets.find((t) => t.name === target)?.checks ?? []).map((c) => [c.id, c]));

export async function scale(env = process.env): Promise<ScaleRun[]> {
  const ns = sizes(env.SCALE_N);
  const others = env.SCALE_OTHERS ?? "copies";
  if (others !== "copies" && others !== "faults") throw new UsageError(`SCALE_OTHERS: "${others}" is neither copies nor faults`);
  await ensureDocker();
  const base = await buildServer("fixtures/broken");
  const runs: ScaleRun[] = [];
  let reference: Map<string, { outcome: Outcome }> | undefined;
  for (const n of ns) {
    const targets = await images(base, n, others);
    console.error(
      `scale: ${n} target${n === 1 ? "" : "s"} (${others === "copies" ? "copies of the correct server" : "the correct server and broken ones"})...`,
    );
    const { report, seconds, cpu: used, exitCode } = await conformance(targets, env.SCALE_CHECKS);
    const compared = others === "copies" ? targets : [targets[0]!];
    reference ??= outcomes(report, `image:${targets[0]}`);
    const differences: ScaleRun["differences"] = [];
    let count = 0;
    for (const target of compared) {
      const got = outcomes(report, `image:${target}`);
      for (const [id, ref] of reference) {
        count++;
        const check = got.get(id);
        const outcome = check?.outcome ?? "skipped";
        if (outcome !== ref.outcome) differences.push({ target, id, outcome, reference: ref.outcome, ...(check?.reason ? { reason: check.reason } : {}) });
      }
    }
    const run = { n, seconds, cpu: used, compared: count, differences, exitCode };
    runs.push(run);
    console.error(
      `scale: N=${n}: ${seconds.toFixed(1)} s, ${ownCpu(run).toFixed(0)} core-s (${(ownCpu(run) / n).toFixed(1)} per target), ` +
        `${differences.length} of ${count} outcomes differ from N=${ns[0]}, exit ${exitCode}`,
    );
    for (const d of differences.slice(0, 10))
      console.error(`  ${d.target} ${d.id}: ${d.outcome}, at N=${ns[0]} ${d.reference}${d.reason ? ` (${d.reason})` : ""}`);
  }
  return runs;
}

/** The run's own CPU: harness, servers and engine (the machine's figure also holds whatever else ran). */
const ownCpu = (r: ScaleRun) => r.cpu.harness + r.cpu.servers + r.cpu.engine;

export function table(runs: ScaleRun[]): string {
  const f = (x: number) => x.toFixed(0);
  const rows = runs.map((r) => {
    const cpu = `${f(r.cpu.harness)} + ${f(r.cpu.servers)} + ${f(r.cpu.engine)} = ${f(ownCpu(r))}`;
    const perTarget = (ownCpu(r) / r.n).toFixed(1);
    return `| ${r.n} | ${r.seconds.toFixed(1)} | ${cpu} | ${perTarget} | ${f(r.cpu.machine)} | ${r.differences.length} of ${r.compared} | ${r.exitCode} |`;
  });
  const head = "| targets | wall (s) | core-s: harness + servers + engine | core-s per target | machine busy core-s | outcomes that differ | exit |";
  return [head, "|---:|---:|---:|---:|---:|---:|---:|", ...rows].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const runs = await scale();
    console.log(table(runs));
    if (process.env.SCALE_JSON) writeFileSync(process.env.SCALE_JSON, `${JSON.stringify(runs, null, 2)}\n`);
    // A run of correct copies must also pass; among broken servers it cannot.
    const copies = (process.env.SCALE_OTHERS ?? "copies") === "copies";
    process.exit(runs.some((r) => r.differences.length || (copies && r.exitCode !== 0)) ? 1 : 0);
  } catch (e) {
    exitOnUsageError(e, "scale");
  }
}
