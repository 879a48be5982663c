// Schemathesis, the outside fuzzer behind `npm run fuzz` (scripts/fuzz.ts): its settings from the
// environment, its project-local virtualenv, its command line, and what its JUnit report says.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../base/paths.js";
import { UsageError } from "../base/usage-error.js";

export const SCHEMATHESIS_VERSION = "4.32.5";
/** Schemathesis and every package it pulls in, pinned (pip freeze of a fresh install). */
export const REQUIREMENTS = join(ROOT, "scripts/fuzz-requirements.txt");
export const CONFIG = join(ROOT, "schemathesis.toml");
export const SPEC = join(ROOT, "spec/openapi.yaml");
export const VENV = join(ROOT, ".venv");

export interface FuzzSettings {
  seed: number;
  seconds: number;
  /** Test cases per operation and phase; unset: as many as the time budget allows. */
  maxExamples?: number;
  reportDir: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`${name} must be an integer of at least ${min}, got "${raw}"; e.g. ${name}=${fallback ?? 100}`);
  }
  return Number(raw);
}

/** FUZZ_SEED (default 1), FUZZ_SECONDS per target (default 60), FUZZ_MAX_EXAMPLES (optional). */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const maxExamples = integer(env, "FUZZ_MAX_EXAMPLES", undefined, 1);
  return {
    seed: integer(env, "FUZZ_SEED", 1, 0)!,
    seconds: integer(env, "FUZZ_SECONDS", 60, 1)!,
    ...(maxExamples === undefined ? {} : { maxExamples }),
    reportDir: env.CONFORMANCE_REPORT_DIR ?? "reports",
  };
}

/** A file-name-safe form of a target's name (url:http://127.0.0.1:8080 -> url_http_127.0.0.1_8080). */
export const reportName = (target: string) => target.replace(/[^A-Za-z0-9._-]+/g, "_");

/** The `schemathesis` arguments for one target (after the global --config-file). */
export function schemathesisArgs(baseUrl: string, junit: string, s: FuzzSettings): string[] {
  return [
    "--config-file",
    CONFIG,
    "--no-color",
    "run",
    SPEC,
    "--url",
    baseUrl,
    "--checks",
    "all",
    // OPTIONS belongs to the `cors` profile only (contract, "Optional profiles"): what a server
    // that does not claim it answers is not the core API's, so the fuzzer leaves it out.
    "--exclude-method",
    "OPTIONS",
    "--phases",
    "examples,coverage,fuzzing,stateful",
    "--seed",
    String(s.seed),
    "--max-time",
    String(s.seconds),
    ...(s.maxExamples === undefined ? [] : ["--max-examples", String(s.maxExamples)]),
    "--report",
    "junit",
    "--report-junit-path",
    junit,
  ];
}

type Log = (line: string) => void;

function exec(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c));
    child.stderr.on("data", (c: Buffer) => (output += c));
    child.on("error", (e: NodeJS.ErrnoException) => resolve({ code: e.code === "ENOENT" ? 127 : 1, output: e.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

export interface VenvOptions {
  venv?: string;
  /** The interpreter that creates the virtualenv. */
  python?: string;
  requirements?: string;
  log?: Log;
}

/**
 * Makes sure the virtualenv (.venv) holds the pinned Schemathesis: creates it with python3 when it
 * is missing, and installs scripts/fuzz-requirements.txt from PyPI when the pins changed. Never a
 * global install. Returns the schemathesis executable; a failure is a one-line UsageError.
 */
export async function ensureSchemathesis({
  venv = VENV,
  python = "python3",
  requirements = REQUIREMENTS,
  log = console.error,
}: VenvOptions = {}): Promise<string> {
  const bin = join(venv, "bin", "schemathesis");
  const stamp = join(venv, ".fuzz-requirements.sha256");
  const wanted = createHash("sha256").update(readFileSync(requirements)).digest("hex");
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === wanted) return bin;
  const where = relative(process.cwd(), venv) || venv;
  const pins = relative(process.cwd(), requirements);
  const venvPython = join(venv, "bin", "python");
  if (!existsSync(venvPython)) {
    const probe = await exec(python, ["-c", "import sys; print('Python %d.%d' % sys.version_info[:2]); assert sys.version_info >= (3, 11)"]);
    if (probe.code === 127)
      throw new UsageError(`no ${python} on PATH; install Python 3.11 or later (Debian: apt-get install python3 python3-venv), then rerun npm run fuzz`);
    if (probe.code !== 0)
      throw new UsageError(`${python} is ${probe.output.trim().split("\n")[0]}; Schemathesis ${SCHEMATHESIS_VERSION} needs Python 3.11 or later`);
    log(`fuzz: creating the virtualenv ${where} (${python} -m venv)`);
    const created = await exec(python, ["-m", "venv", venv]);
    if (created.code !== 0) {
      const why = created.output.trim().split("\n").at(-1);
      throw new UsageError(
        `${python} -m venv ${where} failed (${why}); install the venv module (Debian: apt-get install python3-venv), or remove a broken ${where}, then rerun`,
      );
    }
  }
  log(`fuzz: installing schemathesis==${SCHEMATHESIS_VERSION} from PyPI into ${where} (pins: ${pins})`);
  const pip = await exec(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements]);
  if (pip.code !== 0) {
    const pipLog = join(venv, "pip.log");
    writeFileSync(pipLog, pip.output);
    throw new UsageError(
      `pip could not install ${pins} into ${where} (exit ${pip.code}, output in ${relative(process.cwd(), pipLog)}); ` +
        `check that PyPI is reachable (or set PIP_INDEX_URL), or remove ${where}, then rerun`,
    );
  }
  const version = await exec(bin, ["--version"]);
  if (!version.output.includes(SCHEMATHESIS_VERSION)) {
    throw new UsageError(`${where}/bin/schemathesis reports "${version.output.trim()}", not ${SCHEMATHESIS_VERSION}; remove ${where} and rerun`);
  }
  writeFileSync(stamp, `${wanted}\n`);
  return bin;
}

export interface JunitSummary {
  /** One per API operation (and one for the stateful phase). */
  testcases: number;
  failures: number;
  errors: number;
  /** The names of the test cases that failed or errored. */
  failed: string[];
}

const attr = (tag: string, name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(tag)?.[1] ?? 0);

/** Counts in Schemathesis' JUnit report (its <testsuite> totals, and the names of failed cases). */
export function summarizeJunit(xml: string): JunitSummary {
  const suites = [...xml.matchAll(/<testsuite\b[^>]*>/g)].map((m) => m[0]);
  if (!suites.length) throw new Error("no <testsuite> in the JUnit report");
  const failed = [...xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)]
    .filter((m) => /<(failure|error)\b/.test(m[2] ?? ""))
    .map((m) => /\bname="([^"]*)"/.exec(m[1]!)?.[1] ?? "?");
  return {
    testcases: suites.reduce((n, s) => n + attr(s, "tests"), 0),
    failures: suites.reduce((n, s) => n + attr(s, "failures"), 0),
    errors: suites.reduce((n, s) => n + attr(s, "errors"), 0),
    failed,
  };
}

/** "Test cases: 4338 generated, ..." from Schemathesis' summary, if it printed one. */
export const generatedCases = (output: string) => Number(/(\d+) generated/.exec(output)?.[1] ?? NaN);

/** The requests Schemathesis' FAILURES section is about ("QUERY /health", "Stateful tests"). */
export const failedRequests = (output: string) => [...failureSection(output).matchAll(/^_+ (.+?) _+$/gm)].map((m) => m[1]!);

/** Schemathesis' own account of each failure (from its FAILURES section to the summary). */
export function failureSection(output: string): string {
  const start = output.search(/^=+ FAILURES =+$/m);
  const end = output.search(/^=+ SUMMARY =+$/m);
  return start < 0 ? "" : output.slice(start, end > start ? end : undefined).trimEnd();
}
