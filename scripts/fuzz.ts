// `npm run fuzz`: Schemathesis (pinned, in a project-local .venv) against each target of
// CONFORMANCE_TARGETS (default: every implementation folder), one after the other, with every
// check and every phase, the stateful one included. Per target it builds the image if needed,
// starts the container, runs Schemathesis with a fixed seed and a time budget, writes
// reports/fuzz-<target>.xml (JUnit) and reports/fuzz-<target>.txt (its output), prints one line,
// and removes the container. Exits 1 if any target has a failure, 2 on bad input.
//   FUZZ_SEED          Schemathesis' --seed (default 1)
//   FUZZ_SECONDS       time budget per target, its --max-time (default 60)
//   FUZZ_MAX_EXAMPLES  its --max-examples per operation (default: unset, the budget decides)
// Settings where Schemathesis' expectations differ from the contract are in schemathesis.toml.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage, imageExists } from "../harness/run/build.js";
import { ImplementationContainer, type StartedImplementationContainer } from "../harness/run/container.js";
import { ensureDocker, removeContainers, runLabels, startReaper } from "../harness/run/docker.js";
import {
  ensureSchemathesis,
  failedRequests,
  failureSection,
  fuzzSettings,
  generatedCases,
  reportName,
  schemathesisArgs,
  summarizeJunit,
  type FuzzSettings,
} from "../harness/fuzz/fuzz.js";
import { ROOT } from "../harness/base/paths.js";
import { resolveTargets, type Target } from "../harness/run/targets.js";
import { exitOnUsageError, UsageError } from "../harness/base/usage-error.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true"; // as in vitest.config.ts: harness/run/docker.ts reaps instead

const runId = randomUUID();
let dockerUsed = false;
let child: ChildProcess | undefined;

/** Ctrl-C or SIGTERM: stop Schemathesis, remove this run's containers, exit. */
function onSignal(signal: NodeJS.Signals) {
  child?.kill("SIGINT");
  if (dockerUsed) removeContainers(runId);
  console.error(`\nfuzz: ${signal}, containers removed`);
  process.exit(130);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

async function prepare(target: Target) {
  if (target.kind === "url") {
    const ok = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) throw new UsageError(`${target.name}: GET ${target.url}/health did not answer 200; start the server first`);
    return;
  }
  if (!dockerUsed) {
    await ensureDocker();
    startReaper(runId); // removes the containers even if this process is killed with SIGKILL
    dockerUsed = true;
  }
  if (target.kind === "implementation") await buildImage(target.dir!, target.manifest!, target.image!);
  else if (!(await imageExists(target.image!))) {
    throw new UsageError(`${target.name}: image ${target.image} is not in the Docker engine; build it or \`docker load\` it first`);
  }
}

interface Outcome {
  ok: boolean;
  line: string;
}

/** Runs Schemathesis to completion; the budget plus a margin bounds it even if a request hangs. */
function schemathesis(bin: string, args: string[], settings: FuzzSettings): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = "";
    child = spawn(bin, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } });
    child.stdout!.on("data", (c: Buffer) => (output += c));
    child.stderr!.on("data", (c: Buffer) => (output += c));
    const watchdog = setTimeout(
      () => {
        output += `\nfuzz: still running ${settings.seconds + 120} s after start; stopped\n`;
        child?.kill("SIGKILL");
      },
      (settings.seconds + 120) * 1000,
    );
    child.on("close", (code) => {
      clearTimeout(watchdog);
      child = undefined;
      resolve({ code: code ?? 1, output });
    });
  });
}

async function fuzz(target: Target, bin: string, settings: FuzzSettings): Promise<Outcome> {
  let container: StartedImplementationContainer | undefined;
  const name = reportName(target.name);
  const junit = join(settings.reportDir, `fuzz-${name}.xml`);
  const log = join(settings.reportDir, `fuzz-${name}.txt`);
  rmSync(junit, { force: true });
  try {
    let baseUrl = target.url;
    if (!baseUrl) {
      container = await new ImplementationContainer(target.image!).withLabels(runLabels(runId)).start();
      baseUrl = container.baseUrl;
    }
    const started = Date.now();
    const { code, output } = await schemathesis(bin, schemathesisArgs(baseUrl, junit, settings), settings);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    writeFileSync(log, output);
    let summary: ReturnType<typeof summarizeJunit>;
    try {
      summary = summarizeJunit(readFileSync(junit, "utf8"));
    } catch {
      const last = output.trim().split("\n").slice(-5).join(" | ");
      return { ok: false, line: `${target.name}: Schemathesis exited ${code} without a JUnit report after ${seconds} s: ${last} (full output: ${log})` };
    }
    const problems = summary.failures + summary.errors;
    const ok = code === 0 && problems === 0;
    if (!ok) console.error(`\n${failureSection(output) || output.trim().split("\n").slice(-40).join("\n")}\n`);
    const cases = generatedCases(output);
    const line =
      `${target.name}: ${summary.failures} failures, ${summary.errors} errors` +
      `${problems ? ` (${(failedRequests(output).length ? failedRequests(output) : summary.failed).join(", ")})` : ""}` +
      `${Number.isNaN(cases) ? "" : `, ${cases} test cases`}, seed ${settings.seed}, budget ${settings.seconds} s, took ${seconds} s` +
      `${ok || code === 1 || problems ? "" : `, exit ${code}`}; ${junit}`;
    return { ok, line };
  } finally {
    await container?.stop({ timeout: 0, remove: true }).catch(() => undefined);
  }
}

async function main() {
  const settings = fuzzSettings();
  const targets = resolveTargets();
  const bin = await ensureSchemathesis();
  mkdirSync(settings.reportDir, { recursive: true });
  const lines: Outcome[] = [];
  for (const target of targets) {
    await prepare(target);
    console.error(`fuzz: ${target.name} for ${settings.seconds} s (seed ${settings.seed})`);
    const outcome = await fuzz(target, bin, settings);
    console.log(`fuzz ${outcome.ok ? "ok  " : "FAIL"} ${outcome.line}`);
    lines.push(outcome);
  }
  if (dockerUsed) removeContainers(runId);
  const failed = lines.filter((l) => !l.ok).length;
  if (failed)
    console.log(`fuzz: ${failed} of ${lines.length} targets failed; rerun one with CONFORMANCE_TARGETS=<name> FUZZ_SEED=${settings.seed} npm run fuzz`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  if (dockerUsed) removeContainers(runId);
  exitOnUsageError(e, "fuzz");
});
