// One server under load: a container pinned to the server's core, on the host's network (no
// userland proxy, no bridge), listening on a free loopback port, with the conformance run's memory
// and pids limits. Every container carries the run's labels, so harness/run/docker.ts' reaper removes
// it even when the bench is killed; the bench removes it itself on SIGINT and at the end.
import { execFileSync, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { docker, LABEL, MEMORY_LIMIT_GIB, PIDS_LIMIT, runLabels } from "../run/docker.js";

export const HOST = "127.0.0.1";
/** The conformance run's limits (harness/run/docker.ts). */
export const MEMORY_LIMIT = MEMORY_LIMIT_GIB * 2 ** 30;
export { PIDS_LIMIT };
/** Room for 10,000 idle connections and the ladder's 256 (the engine's default here is 20,000). */
export const NOFILE = 20_000;

const now = () => performance.timeOrigin + performance.now();

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One GET /health over a fresh connection; true on a 200. */
export function probe(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let data = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on("connect", () => socket.write(`GET /health HTTP/1.1\r\nHost: ${HOST}:${port}\r\nConnection: close\r\n\r\n`));
    socket.on("data", (c) => {
      data += c.toString("latin1");
      if (data.includes("\r\n")) done(/^HTTP\/1\.[01] 200 /.test(data));
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(/^HTTP\/1\.[01] 200 /.test(data)));
  });
}

/** The engine's RFC 3339 nanosecond timestamp, in ms since the epoch with sub-ms precision. */
export function parseEngineTime(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`cannot parse engine time ${iso}`);
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? "0"}`) * 1000;
}

export interface RunOptions {
  runId: string;
  cpus: string;
  logDriver: string;
  env?: Record<string, string>;
}

export interface Started {
  id: string;
  port: number;
  /** The server's PID on the host (PID 1 of the container). */
  pid: number;
  /** Engine's State.StartedAt to the first 200, ms. */
  startToFirst200Ms: number;
  /** `docker run` invoked to the first 200, ms. */
  runToFirst200Ms: number;
}

/** The `docker run` arguments, also printed for anyone who wants to repeat a measurement by hand. */
export function runArgs(image: string, port: number, o: RunOptions): string[] {
  const labels = Object.entries(runLabels(o.runId)).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const env = Object.entries({ ...o.env, PORT: String(port) }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  return [
    "run",
    "-d",
    ...labels,
    ...env,
    "--network",
    "host",
    "--cpuset-cpus",
    o.cpus,
    "--memory",
    String(MEMORY_LIMIT),
    "--pids-limit",
    String(PIDS_LIMIT),
    "--ulimit",
    `nofile=${NOFILE}:${NOFILE}`,
    "--log-driver",
    o.logDriver,
    image,
  ];
}

/**
 * Starts `image` and probes GET /health from the moment `docker run` is invoked (on the host's
 * network a probe before the server listens is refused at once, so probing early costs nothing
 * and misses nothing), every millisecond, for at most 15 s.
 */
export async function startServer(image: string, o: RunOptions): Promise<Started> {
  const port = await freePort();
  const t0 = now();
  const child = spawn("docker", runArgs(image, port, o), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (err += c));
  const exited = new Promise<number>((r) => child.on("close", (c) => r(c ?? 1)));
  // An engine that has stopped answering must not hang the run: `docker run -d` gets 60 s.
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  void exited.then(() => clearTimeout(killer));
  let code: number | undefined;
  void exited.then((c) => (code = c));
  let first200: number | undefined;
  const deadline = t0 + 15_000;
  while (first200 === undefined && now() < deadline && (code === undefined || code === 0)) {
    if (await probe(port, 500)) first200 = now();
    else await sleep(1);
  }
  await exited;
  const id = out.trim();
  if (code !== 0)
    throw new Error(`docker run ${image} exited ${code}${err.trim() ? `: ${err.trim().split("\n")[0]}` : " (no answer from the engine within 60 s)"}`);
  if (first200 === undefined) {
    const logs = await docker("logs", "--tail", "5", id).catch(() => "");
    await stopServer(id);
    throw new Error(`${image}: GET /health on ${HOST}:${port} gave no 200 within 15 s${logs ? `; its log ends: ${logs.split("\n").pop()}` : ""}`);
  }
  const [startedAt, pid] = (await docker("inspect", "--format", "{{.State.StartedAt}} {{.State.Pid}}", id)).split(" ");
  return { id, port, pid: Number(pid), startToFirst200Ms: first200 - parseEngineTime(startedAt!), runToFirst200Ms: first200 - t0 };
}

export async function stopServer(id: string) {
  await docker("rm", "-f", "-v", id).catch(() => "");
}

/**
 * Removes every container of the run, each `docker` call bounded (harness/run/docker.ts' reaper does
 * the same once the process is gone, however it ended). Used at the end and on SIGINT/SIGTERM.
 */
export function removeRunContainers(runId: string) {
  try {
    const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=${LABEL}=${runId}`], { encoding: "utf8", timeout: 20_000 })
      .split("\n")
      .filter(Boolean);
    if (ids.length) execFileSync("docker", ["rm", "-f", "-v", ...ids], { stdio: "ignore", timeout: 60_000 });
  } catch {
    // the reaper tries again once this process has gone
  }
}

export async function imageInfo(image: string): Promise<{ id: string; size: number }> {
  const [id, size] = (await docker("image", "inspect", "--format", "{{.Id}} {{.Size}}", image)).split(" ");
  return { id: id!, size: Number(size) };
}
