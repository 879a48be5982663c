// The closed-loop runner: wrk pinned to the generator's core, a scenario's Lua script with
// lua/done.lua appended, and a parser for the one JSON line done() prints.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { WrkRun } from "./types.js";

const execFileAsync = promisify(execFile);
const LUA = join(import.meta.dirname, "lua");
const scriptDir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
/** The run's scripts and oha's URL and body files; removed when the process exits. */
export const WRK_SCRIPT_DIR = scriptDir;
process.on("exit", () => rmSync(scriptDir, { recursive: true, force: true }));

/** Writes <scenario script> + done.lua to a temporary file once; returns its path. */
export function wrkScript(name: "static" | "create" | "mixed"): string {
  const file = join(scriptDir, `${name}.lua`);
  writeFileSync(file, `${readFileSync(join(LUA, `${name}.lua`), "utf8")}\n${readFileSync(join(LUA, "done.lua"), "utf8")}`);
  return file;
}

interface WrkJson {
  duration_us: number;
  requests: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latency_us: { mean: number; max: number; p50: number; p90: number; p99: number };
  statuses: Record<string, number>;
}

/**
 * Turns wrk's output into a run. `ok` lists the statuses that count as done. Scripts with a
 * response() report every status; the others only say how many were 400 or above
 * (errors.status), and every other response is then counted as done.
 */
/**
 * The CPU time of the command a `sh -c '"$@"; cat /proc/$$/stat'` wrapper ran: the shell's
 * cutime + cstime once it has reaped the child (USER_HZ ticks, 100 per second on Linux).
 */
export function childCpuSeconds(stdout: string): number | null {
  const line = stdout.trim().split("\n").pop() ?? "";
  const fields = line.split(") ")[1]?.split(" ");
  if (!fields || fields.length < 15) return null;
  const ticks = Number(fields[13]) + Number(fields[14]);
  return Number.isFinite(ticks) ? ticks / 100 : null;
}

export function parseWrk(stdout: string, ok: number[], serverCpuSeconds: number | null = null, generatorCpuSeconds: number | null = null): WrkRun {
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_WRK "));
  if (!line) throw new Error(`wrk printed no summary line: ${stdout.trim().split("\n").slice(-3).join(" | ") || "(nothing)"}`);
  const j = JSON.parse(line.slice("BENCH_WRK ".length)) as WrkJson;
  const seconds = j.duration_us / 1e6;
  const counted = Object.keys(j.statuses).length > 0;
  const okResponses = counted ? ok.reduce((n, s) => n + (j.statuses[String(s)] ?? 0), 0) : j.requests - j.errors.status;
  const socketErrors = j.errors.connect + j.errors.read + j.errors.write + j.errors.timeout;
  const statuses = counted ? j.statuses : { [String(ok[0])]: okResponses, ...(j.errors.status ? { "400+": j.errors.status } : {}) };
  const ms = (us: number) => us / 1000;
  return {
    rps: seconds > 0 ? okResponses / seconds : 0,
    requests: j.requests,
    okResponses,
    seconds,
    otherStatuses: j.requests - okResponses,
    socketErrors,
    statuses,
    serverCpuSeconds,
    perServerCpuSecond: serverCpuSeconds ? okResponses / serverCpuSeconds : null,
    generatorCpuSeconds,
    perGeneratorCpuSecond: generatorCpuSeconds ? j.requests / generatorCpuSeconds : null,
    latencyMs: { mean: ms(j.latency_us.mean), p50: ms(j.latency_us.p50), p90: ms(j.latency_us.p90), p99: ms(j.latency_us.p99), max: ms(j.latency_us.max) },
  };
}

export interface WrkOptions {
  wrk: string;
  cpus: string;
  url: string;
  connections: number;
  threads: number;
  seconds: number;
  script: string;
  env?: Record<string, string>;
}

/** The command line, pinned with taskset; also printed so that a run can be repeated by hand. */
export function wrkArgs(o: WrkOptions): string[] {
  return ["-c", o.cpus, o.wrk, "-t", String(o.threads), "-c", String(o.connections), "-d", `${o.seconds}s`, "--timeout", "5s", "-s", o.script, o.url];
}

/** One run; `serverCpu` reads the server's CPU seconds, before and after, when given. */
export async function runWrk(o: WrkOptions, ok: number[], serverCpu?: () => number | null): Promise<WrkRun> {
  const before = serverCpu?.() ?? null;
  // The wrapper prints its own /proc stat after wrk exits, which holds wrk's CPU time.
  const wrapper = ['"$@"; s=$?; cat /proc/$$/stat; exit $s', "sh", "taskset", ...wrkArgs(o)];
  const { stdout } = await execFileAsync("sh", ["-c", ...wrapper], {
    encoding: "utf8",
    env: { ...process.env, ...o.env },
    timeout: (o.seconds + 15) * 1000,
    maxBuffer: 1 << 20,
  });
  const after = serverCpu?.() ?? null;
  return parseWrk(stdout, ok, before !== null && after !== null ? after - before : null, childCpuSeconds(stdout));
}
