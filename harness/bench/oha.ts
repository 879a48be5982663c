// The fixed-rate runner: oha pinned to the generator's core at a fixed request rate with
// --latency-correction (each latency counts from when the request was due, not from when it could
// be sent: no coordinated omission), and a parser for its JSON output. Only ok responses (2xx)
// count in the percentiles (--stats-success-breakdown), so a 409 of a create does not flatter them.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { OhaOperation, Percentiles } from "./types.js";

const execFileAsync = promisify(execFile);

export interface OhaOptions {
  oha: string;
  cpus: string;
  operation: string;
  method: string;
  /** A URL, or with urlsFile a file of URLs (one picked at random per request). */
  url: string;
  urlsFile?: boolean;
  rate: number;
  connections: number;
  seconds: number;
  contentType?: string;
  body?: string;
  /** A file of bodies, one per line, one picked at random per request. */
  bodyLines?: string;
}

export function ohaArgs(o: OhaOptions): string[] {
  return [
    "-c",
    o.cpus,
    o.oha,
    "--no-tui",
    "--output-format",
    "json",
    "-z",
    `${o.seconds}s`,
    "-q",
    String(Math.max(1, Math.round(o.rate))),
    "--latency-correction",
    "--stats-success-breakdown",
    "-c",
    String(o.connections),
    "--worker-threads",
    "1",
    "-m",
    o.method,
    ...(o.contentType ? ["-T", o.contentType] : []),
    ...(o.body !== undefined ? ["-d", o.body] : []),
    ...(o.bodyLines ? ["-Z", o.bodyLines] : []),
    ...(o.urlsFile ? ["--urls-from-file"] : []),
    o.url,
  ];
}

interface OhaJson {
  summary: { requestsPerSec: number; total: number };
  latencyPercentilesSuccessful?: Record<string, number | null> | null;
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number>;
}

export function parseOha(stdout: string, o: Pick<OhaOptions, "operation" | "method" | "rate" | "connections">): OhaOperation {
  let j: OhaJson;
  try {
    j = JSON.parse(stdout) as OhaJson;
  } catch {
    throw new Error(`oha printed no JSON: ${stdout.trim().slice(0, 200) || "(nothing)"}`);
  }
  const p = j.latencyPercentilesSuccessful ?? {};
  const ms = (key: string) => (typeof p[key] === "number" ? p[key]! * 1000 : NaN);
  const latencyMs: Percentiles = { p50: ms("p50"), p90: ms("p90"), p99: ms("p99"), "p99.9": ms("p99.9") };
  const statuses: Record<string, number> = { ...j.statusCodeDistribution };
  // With -z, requests still in flight at the deadline are aborted: an artefact of stopping, not an error.
  const errors = Object.entries(j.errorDistribution ?? {})
    .filter(([what]) => !/deadline/i.test(what))
    .reduce((a, [, n]) => a + n, 0);
  if (errors) statuses.error = errors;
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    operation: o.operation,
    method: o.method,
    rate: o.rate,
    connections: o.connections,
    achievedRps: j.summary.requestsPerSec,
    requests,
    statuses,
    latencyMs,
  };
}

export async function runOha(o: OhaOptions): Promise<OhaOperation> {
  const { stdout } = await execFileAsync("taskset", ohaArgs(o), { encoding: "utf8", timeout: (o.seconds + 20) * 1000, maxBuffer: 16 << 20 });
  return parseOha(stdout, o);
}
