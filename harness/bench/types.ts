// The shape of reports/bench.json. harness/bench/bench.schema.json is its published schema;
// write.ts validates every report against it before writing, and the smoke test does too.

/** A repeated measurement: the values in run order, their median, and how far apart they are. */
export interface Stat {
  values: number[];
  median: number;
  min: number;
  max: number;
  /** (max - min) / median; 0 for a single value. */
  spread: number;
  /** spread above the plan's threshold (5 %): shown in every output, never hidden. */
  flagged: boolean;
}

export type ScenarioId = "get-one" | "list-20" | "list-100" | "create" | "mixed";

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** What goes over the wire, in words. */
  requests: string;
  /** Statuses that count as done; anything else is an error and is not counted in req/s. */
  ok: number[];
}

/** One closed-loop wrk run. */
export interface WrkRun {
  /** Responses with an ok status per second of the run. */
  rps: number;
  requests: number;
  okResponses: number;
  seconds: number;
  /** Responses with another status (409 for a create, say), and socket errors and timeouts. */
  otherStatuses: number;
  socketErrors: number;
  statuses: Record<string, number>;
  /** CPU time the server's container used during the run (cgroup accounting), s; null if unreadable. */
  serverCpuSeconds: number | null;
  /**
   * Done responses per CPU-second of the server: its cost per request, which other tenants of the
   * machine change far less than req/s (a server that gets half a core serves half as many
   * requests in the same CPU time). null without CPU accounting.
   */
  perServerCpuSecond: number | null;
  /** CPU time wrk itself used (user + system, 10 ms ticks), s; null if unreadable. */
  generatorCpuSeconds: number | null;
  /** Requests per CPU-second of wrk: the generator's capacity, whatever share of its core it got. */
  perGeneratorCpuSecond: number | null;
  /** wrk's own latency percentiles of this closed-loop run, in ms (not corrected: see fixedRate). */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
}

export interface LadderPoint {
  scenario: ScenarioId;
  connections: number;
  wrkThreads: number;
  runs: WrkRun[];
  rps: Stat;
  /** The runs' perServerCpuSecond, when every run has one. */
  perServerCpuSecond: Stat | null;
  /** Median share of one core the server got during the runs (serverCpuSeconds / seconds). */
  serverCpuShare: number | null;
  /** The runs' perGeneratorCpuSecond, when every run has one. */
  perGeneratorCpuSecond: Stat | null;
}

export interface TargetPoint extends LadderPoint {
  /** Median req/s of the trivial responder at the same scenario and connections, in this run. */
  ceilingRps: number | null;
  /** rps.median is at least a third of the ceiling: the generator, not the server, may be the limit. */
  generatorBound: boolean;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  "p99.9": number;
}

/** One oha process of a fixed-rate run (the mixed scenario has one per operation). */
export interface OhaOperation {
  operation: string;
  method: string;
  rate: number;
  connections: number;
  achievedRps: number;
  requests: number;
  statuses: Record<string, number>;
  /** Latency of the ok responses only, ms, corrected for coordinated omission. */
  latencyMs: Percentiles;
}

export interface FixedRatePoint {
  scenario: ScenarioId;
  /** Requests per second asked of the generator, summed over operations. */
  rate: number;
  seconds: number;
  operations: OhaOperation[];
  /** For one operation its percentiles; for several, the worst operation at each percentile. */
  latencyMs: Percentiles;
  /** Share of responses with a status that is not ok for their operation (0..1). */
  notOk: number;
}

export interface IdleConnections {
  requested: number;
  /** Connections that completed one GET /health and stayed open until the measurement. */
  held: number;
  failed: number;
  /** Of the held ones, how many the server closed during the hold that followed. */
  closedByServerDuringHold: number;
  holdSeconds: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** (after - before) / held, the server process' resident set only. */
  rssPerConnectionBytes: number | null;
  /** The container's memory cgroup (includes kernel socket memory where the cgroup accounts it). */
  cgroupBeforeBytes: number | null;
  cgroupAfterBytes: number | null;
  cgroupPerConnectionBytes: number | null;
  note?: string;
}

export interface GateEntry {
  name: string;
  image: string | null;
  imageId: string | null;
  passed: boolean;
  /** Why a target is not benchmarked (or how it passed). */
  reason: string;
  core: { passed: number; total: number };
}

export interface Gate {
  /** "run": this run ran the conformance suite; "reused": a report for the same image ids; "skipped": BENCH_GATE=skip. */
  source: "run" | "reused" | "skipped";
  report: string | null;
  reportFinishedAt: string | null;
  seconds: number;
  targets: GateEntry[];
}

export interface TargetResult {
  name: string;
  image: string;
  imageId: string;
  framework: string | null;
  language: string | null;
  /** Optional profiles the target claims (its manifest). */
  profiles: string[];
  imageSizeBytes: number;
  /** Engine's State.StartedAt to the first 200 from GET /health, ms, one fresh container per value. */
  startToFirst200Ms: Stat;
  /** `docker run` invoked to the first 200, ms (adds the engine's create and start). */
  runToFirst200Ms: Stat;
  memory: {
    /** VmRSS of the server process after start and seeding, before any load. */
    idleRssBytes: number;
    /** VmHWM (peak resident set), the largest over the load containers (read when each is replaced and at the end). */
    peakRssBytes: number;
    idleCgroupBytes: number | null;
    peakCgroupBytes: number | null;
  };
  idleConnections: IdleConnections | null;
  ladder: TargetPoint[];
  fixedRate: FixedRatePoint[];
}

export type Verdict = "supported" | "refuted" | "inconclusive" | "not measured";

export interface Claim {
  id: string;
  claim: string;
  verdict: Verdict;
  measured: string;
}

export interface BenchReport {
  schema: "crud-conformance/bench/v1";
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  mode: "full" | "quick";
  machine: {
    cores: number;
    cpu: string;
    memoryGiB: number;
    kernel: string;
    docker: string;
    node: string;
    /** os.loadavg() at the start and at the end: above the core count, others were using the CPUs. */
    loadAverageStart: number[];
    loadAverageEnd: number[];
    note: string | null;
  };
  setup: {
    network: "host";
    host: string;
    serverCpus: string;
    generatorCpus: string;
    memoryLimitBytes: number;
    pidsLimit: number;
    nofile: number;
    logDriver: string;
  };
  generators: {
    wrk: { version: string; path: string; maxThreads: number };
    /** null: BENCH_FIXED_RATE=0, no fixed-rate runs. */
    oha: { version: string; path: string } | null;
  };
  plan: {
    scenarios: ScenarioId[];
    ladder: number[];
    repeats: number;
    secondsPerRun: Record<string, number>;
    warmupSeconds: number;
    fixedRateSeconds: number;
    fixedRateFraction: number;
    fixedRateConnections: number;
    idleConnections: number;
    seedUsers: number;
    spreadThreshold: number;
    generatorBoundFraction: number;
  };
  scenarios: Scenario[];
  gate: Gate;
  ceiling: { name: string; image: string; imageSizeBytes: number; ladder: LadderPoint[] };
  targets: TargetResult[];
  claims: Claim[];
  warnings: string[];
}
