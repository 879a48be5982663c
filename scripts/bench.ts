// Measures each target of CONFORMANCE_TARGETS and prints the numbers; it never asserts them.
// Run with `npx tsx scripts/bench.ts` (or `npm run bench`). Per target:
//   build     whether the image was already there, else the build time (harness/build.ts)
//   size      the image size (`docker image inspect`)
//   start     start() to healthy through testcontainers' wait strategy, BENCH_RUNS times; then
//             container start (the engine's State.StartedAt) to the first 200 from GET /health,
//             probed every 5 ms from the moment `docker run -d` returns, BENCH_RUNS times (also
//             from the `docker run` invocation, which adds the engine's create and start)
//   load      BENCH_REQUESTS requests (default 2000) from 16 keep-alive clients, a mix of POST
//             /api/users, GET /api/users/{id} and GET /api/users?per_page=20, stopped after 30 s
//             whatever happens: requests/s, p50/p99 latency, non-2xx and failed requests
//   memory    `docker stats` right after healthy, and after the load
// Every container carries this run's labels, so the reaper removes it even if the script is killed.
import { execFile, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { buildImage, imageExists } from "../harness/build.js";
import { CONTAINER_PORT, ImplementationContainer, type StartedImplementationContainer } from "../harness/container.js";
import { ensureDocker, removeContainers, runLabels, startReaper } from "../harness/docker.js";
import { resolveTargets, type Target } from "../harness/targets.js";
import { UsageError } from "../harness/usage-error.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true"; // as in vitest.config.ts: harness/docker.ts reaps instead

const HOST = "127.0.0.1";
const CONCURRENCY = 16;
const LOAD_DEADLINE_MS = 30_000;
const POLL_MS = 5;
const SEED_USERS = 20;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

const execFileAsync = promisify(execFile);
async function docker(...args: string[]): Promise<string> {
  return (await execFileAsync("docker", args, { encoding: "utf8", timeout: 60_000 })).stdout.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- statistics ----------

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile of a non-empty list. */
function percentile(xs: number[], p: number): number {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const median = (xs: number[]) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
interface Spread {
  median: number;
  min: number;
  max: number;
}
const spread = (xs: number[]): Spread | undefined =>
  xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : undefined;
const fmtSpread = (s: Spread | undefined, digits = 0) =>
  s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : "n/a";

// ---------- docker helpers ----------

async function imageSizeMB(image: string): Promise<number> {
  return Number(await docker("image", "inspect", "--format", "{{.Size}}", image)) / 1e6;
}

/** The "used" half of `docker stats`' MemUsage, e.g. "1.234MiB / 512MiB" -> "1.234MiB". */
async function memUsage(id: string): Promise<string> {
  const out = await docker("stats", "--no-stream", "--format", "{{.MemUsage}}", id);
  return out.split("/")[0]!.trim();
}

/** The engine's RFC 3339 nanosecond timestamp, in ms since epoch with sub-ms precision. */
function parseEngineTime(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`cannot parse engine time ${iso}`);
  const frac = Number(`0.${m[2] ?? "0"}`) * 1000;
  return Date.parse(`${m[1]}${m[3]}`) + frac;
}

/** A host port that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// ---------- HTTP ----------

interface Reply {
  status: number;
  body: string;
}

function send(agent: Agent | false, port: number, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: HOST,
        port,
        method,
        path,
        agent,
        headers: payload === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

const uniqueEmail = () => `bench-${randomBytes(8).toString("hex")}@example.com`;

// ---------- measurements ----------

/** start() to resolved (testcontainers polls /health until 200), in ms; the container is removed after. */
async function timedTestcontainersStart(image: string, runId: string): Promise<number> {
  const container = new ImplementationContainer(image).withLabels(runLabels(runId));
  const t0 = performance.now();
  const started = await container.start();
  const ms = performance.now() - t0;
  await started.stop({ timeout: 0, remove: true });
  return ms;
}

/**
 * `docker run -d` (which waits for nothing but the engine's start) on a host port chosen
 * beforehand, then GET /health every 5 ms. Returns, in ms, the engine's State.StartedAt to the
 * first 200, the `docker run` invocation to the first 200 (adding the engine's create and start),
 * and which probe got that 200.
 */
async function timedFirst200(image: string, runId: string): Promise<{ fromStart: number; fromRun: number; probes: number }> {
  const port = await freePort();
  const labels = Object.entries(runLabels(runId)).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const args = ["run", "-d", ...labels, "-e", `PORT=${CONTAINER_PORT}`, "-p", `${HOST}:${port}:${CONTAINER_PORT}`, "--memory", "512m", "--pids-limit", "256", image];
  const runStarted = Date.now();
  const child = spawn("docker", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (err += c));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  const id = out.trim();

  // Probing starts once `docker run -d` has returned: probes sent while the engine was still wiring
  // the container's network made every later connection stall for about a second (a failed
  // neighbour entry or a dropped SYN being retried, by the look of it), which measured the engine,
  // not the server. A probe can still hang, so probes overlap: a new one every 5 ms, each with its
  // own timeout, and the first 200 to arrive wins.
  let first200: number | undefined;
  let inFlight = 0;
  let probes = 0;
  let probesBefore200 = 0;
  const deadline = runStarted + 30_000;
  while (code === 0 && first200 === undefined && Date.now() < deadline) {
    if (inFlight < 256) {
      inFlight++;
      const n = ++probes;
      void send(false, port, "GET", "/health", undefined, 2_000)
        .then(
          (r) => r.status === 200 && first200 === undefined && ((first200 = Date.now()), (probesBefore200 = n)),
          () => undefined,
        )
        .finally(() => inFlight--);
    }
    await sleep(POLL_MS);
  }
  while (inFlight > 0) await sleep(POLL_MS); // let the other probes finish before the container goes
  try {
    if (code !== 0) throw new Error(`docker run exited ${code}: ${err.trim().split("\n")[0]}`);
    if (first200 === undefined) throw new Error(`GET /health on ${HOST}:${port} gave no 200 within 30 s`);
    const startedAt = parseEngineTime(await docker("inspect", "--format", "{{.State.StartedAt}}", id));
    return { fromStart: first200 - startedAt, fromRun: first200 - runStarted, probes: probesBefore200 };
  } finally {
    if (id) await docker("rm", "-f", "-v", id).catch(() => "");
  }
}

interface LoadResult {
  sent: number;
  completed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  failed: number;
  byStatus: Record<string, number>;
  stoppedByDeadline: boolean;
}

/** A bounded mixed load: at most `total` requests, at most 30 s, 16 keep-alive clients. */
async function load(port: number, total: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const ids: number[] = [];
  try {
    // Seed a few users (not measured), so reads have something to find from the first request.
    for (let i = 0; i < SEED_USERS; i++) {
      const r = await send(agent, port, "POST", "/api/users", { name: `Seed ${i}`, email: uniqueEmail() });
      if (r.status === 201) ids.push((JSON.parse(r.body) as { id: number }).id);
    }
    if (!ids.length) throw new Error("could not create a single user with POST /api/users");

    const latencies: number[] = [];
    const byStatus: Record<string, number> = {};
    let issued = 0;
    let failed = 0;
    let non2xx = 0;
    const t0 = performance.now();
    const end = t0 + LOAD_DEADLINE_MS;
    let stoppedByDeadline = false;

    const worker = async () => {
      while (issued < total) {
        const now = performance.now();
        if (now >= end) {
          stoppedByDeadline = true;
          return;
        }
        const n = issued++;
        const kind = n % 3;
        const t = performance.now();
        const timeout = Math.max(1, end - t);
        try {
          let r: Reply;
          if (kind === 0) {
            r = await send(agent, port, "POST", "/api/users", { name: "Bench User", email: uniqueEmail() }, timeout);
            if (r.status === 201) ids.push((JSON.parse(r.body) as { id: number }).id);
          } else if (kind === 1) {
            r = await send(agent, port, "GET", `/api/users/${ids[n % ids.length]}`, undefined, timeout);
          } else {
            r = await send(agent, port, "GET", "/api/users?per_page=20", undefined, timeout);
          }
          latencies.push(performance.now() - t);
          byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
          if (r.status < 200 || r.status > 299) non2xx++;
        } catch {
          failed++;
          byStatus.error = (byStatus.error ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - t0) / 1000;
    return {
      sent: issued,
      completed: latencies.length,
      seconds,
      rps: latencies.length / seconds,
      p50: latencies.length ? percentile(latencies, 50) : NaN,
      p99: latencies.length ? percentile(latencies, 99) : NaN,
      non2xx,
      failed,
      byStatus,
      stoppedByDeadline,
    };
  } finally {
    agent.destroy();
  }
}

// ---------- per target ----------

interface Row {
  target: string;
  build: string;
  sizeMB: number;
  tcStart: Spread | undefined;
  first200: Spread | undefined;
  runTo200: Spread | undefined;
  /** Which probe of each run got the first 200 (1: the server was up before it could be asked). */
  probes: number[];
  idleMem: string;
  load: LoadResult;
  loadMem: string;
}

async function prepareImage(target: Target): Promise<string> {
  if (target.kind === "implementation") {
    const { built, seconds } = await buildImage(target.dir!, target.manifest!, target.image!);
    return built ? `built ${seconds.toFixed(1)} s` : "cached";
  }
  if (!(await imageExists(target.image!))) {
    throw new UsageError(`${target.name}: image ${target.image} is not in the Docker engine; build it or \`docker load\` it first`);
  }
  return "cached";
}

async function measure(target: Target, build: string, runId: string, runs: number, requests: number): Promise<Row> {
  const image = target.image!;
  const say = (line: string) => console.error(`[${target.name}] ${line}`);
  const sizeMB = await imageSizeMB(image);

  const tc: number[] = [];
  for (let i = 0; i < runs; i++) tc.push(await timedTestcontainersStart(image, runId));
  say(`testcontainers start to healthy: ${tc.map((x) => x.toFixed(0)).join(", ")} ms`);

  const fromStart: number[] = [];
  const fromRun: number[] = [];
  const probes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timedFirst200(image, runId);
    fromStart.push(r.fromStart);
    fromRun.push(r.fromRun);
    probes.push(r.probes);
  }
  say(`container start to first 200: ${fromStart.map((x) => x.toFixed(1)).join(", ")} ms (the 200 answered probe ${probes.join(", ")})`);
  say(`docker run to first 200: ${fromRun.map((x) => x.toFixed(0)).join(", ")} ms`);

  let container: StartedImplementationContainer | undefined;
  try {
    container = await new ImplementationContainer(image).withLabels(runLabels(runId)).start();
    const idleMem = await memUsage(container.getId());
    const result = await load(container.getMappedPort(CONTAINER_PORT), requests);
    const loadMem = await memUsage(container.getId());
    say(
      `load: ${result.completed}/${result.sent} in ${result.seconds.toFixed(2)} s, ${result.rps.toFixed(0)} req/s, ` +
        `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, statuses ${JSON.stringify(result.byStatus)}` +
        (result.stoppedByDeadline ? " (stopped at the 30 s deadline)" : ""),
    );
    say(`memory: idle ${idleMem}, after load ${loadMem}`);
    return { target: target.name, build, sizeMB, tcStart: spread(tc), first200: spread(fromStart), runTo200: spread(fromRun), probes, idleMem, load: result, loadMem };
  } finally {
    await container?.stop({ timeout: 0, remove: true }).catch(() => undefined);
  }
}

// ---------- output ----------

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function report(rows: Row[], runs: number, requests: number) {
  const cpu = cpus();
  const header = [
    "target",
    "image",
    "size MB",
    `tc start→healthy ms, med (min–max) n=${runs}`,
    "start→first 200 ms",
    "docker run→first 200 ms",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "failed",
    "mem idle",
    "mem after load",
  ];
  const body = rows.map((r) => [
    r.target,
    r.build,
    r.sizeMB.toFixed(2),
    fmtSpread(r.tcStart),
    fmtSpread(r.first200, 1),
    fmtSpread(r.runTo200),
    r.load.rps.toFixed(0),
    r.load.p50.toFixed(2),
    r.load.p99.toFixed(2),
    String(r.load.non2xx),
    String(r.load.failed),
    r.idleMem,
    r.loadMem,
  ]);
  console.log();
  console.log(table([header, ...body]));
  console.log();
  console.log(`load: ${requests} requests per target (${CONCURRENCY} keep-alive clients; POST /api/users, GET /api/users/{id}, GET /api/users?per_page=20 in turn; 30 s cap)`);
  for (const r of rows) {
    if (r.load.stoppedByDeadline || r.load.completed < r.load.sent || r.load.sent < requests) {
      console.log(`  ${r.target}: ${r.load.completed} of ${requests} requests completed${r.load.stoppedByDeadline ? ", stopped at the 30 s deadline" : ""}`);
    }
  }
  const early = rows.filter((r) => r.probes.length && r.probes.every((p) => p === 1)).map((r) => r.target);
  if (early.length) {
    console.log(`start→first 200: probing starts when \`docker run -d\` returns; for ${early.join(", ")} the first probe already got 200, so that column is an upper bound`);
  }
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);
  console.log(`date: ${new Date().toISOString()}`);
  console.log(`node: ${process.version}`);
}

async function main() {
  const targets = resolveTargets();
  const runs = positiveInt("BENCH_RUNS", 5);
  const requests = positiveInt("BENCH_REQUESTS", 2000);
  const url = targets.find((t) => t.kind === "url");
  if (url) throw new UsageError(`${url.name}: a url: target cannot be started or inspected; bench needs an implementation folder or image:<ref>`);
  await ensureDocker();
  const runId = `bench-${randomUUID()}`;
  startReaper(runId);
  try {
    // Build everything first, so no compile competes with a measurement.
    const builds: string[] = [];
    for (const t of targets) builds.push(await prepareImage(t));
    const rows: Row[] = [];
    for (const [i, t] of targets.entries()) rows.push(await measure(t, builds[i]!, runId, runs, requests));
    report(rows, runs, requests);
  } finally {
    removeContainers(runId);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
