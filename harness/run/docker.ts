// The Docker engine: checks that one answers, and removes every container this run started,
// even when the run is killed. Ryuk cannot be pulled here, so a detached shell takes its job.
import { execFile, execFileSync, spawn } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../base/paths.js";
import { UsageError } from "../base/usage-error.js";

export const LABEL = "crud-conformance.run";

/** The limits every server under test runs with, in the conformance run and the bench alike. */
export const MEMORY_LIMIT_GIB = 0.5;
export const PIDS_LIMIT = 256;

const execFileAsync = promisify(execFile);
/** One `docker` CLI call; its trimmed stdout. */
export async function docker(...args: string[]): Promise<string> {
  return (await execFileAsync("docker", args, { encoding: "utf8", timeout: 60_000 })).stdout.trim();
}

const engineAnswers = () => {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "pipe", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
};

let engine: Promise<void> | undefined;
let answered = false;

/** Whether an engine answered when it was first asked (ensureDocker), before one was started. */
export const engineWasUp = () => answered;

/**
 * Makes sure a Docker engine answers. When none does and DOCKER_HOST is not set, runs
 * scripts/ensure-docker.sh, which installs Debian's docker.io if needed and starts dockerd (as
 * root, or through `sudo -n`). A failure is one line that names the command to run. Once per
 * process: every caller gets the same promise.
 */
export function ensureDocker(): Promise<void> {
  engine ??= startEngine();
  return engine;
}

async function startEngine() {
  answered = engineAnswers();
  if (answered) return;
  if (process.env.DOCKER_HOST) {
    throw new UsageError(`no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}; start it there, or use CONFORMANCE_TARGETS=url:<base-url>`);
  }
  console.error("crud-conformance: no Docker engine answers `docker info`; starting one with scripts/ensure-docker.sh");
  const code = await new Promise<number>((resolve) => {
    const child = spawn(join(ROOT, "scripts/ensure-docker.sh"), [], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", () => resolve(127));
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !engineAnswers()) {
    throw new UsageError(
      `no Docker engine answers and scripts/ensure-docker.sh could not start one (exit ${code}); ` +
        "run `sudo scripts/ensure-docker.sh`, or set DOCKER_HOST to a running engine, or use CONFORMANCE_TARGETS=url:<base-url>",
    );
  }
}

/** Removes the containers of `runId`; returns how many there were. */
export function removeContainers(runId: string) {
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=${LABEL}=${runId}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  if (ids.length) execFileSync("docker", ["rm", "-f", "-v", ...ids], { stdio: "ignore" });
  return ids.length;
}

/** The labels every container of this run carries. */
export const runLabels = (runId: string) => ({ [LABEL]: runId, "crud-conformance.host": hostname() });

/**
 * Starts a detached watcher that removes this run's containers once `pid` is gone, whether the run
 * ended normally, was interrupted, or was killed with SIGKILL.
 */
export function startReaper(runId: string, pid = process.pid) {
  // A container whose create was already on its way when the run died appears a moment later:
  // sweep a few times, over about 10 s.
  const script = `
    while kill -0 ${pid} 2>/dev/null; do sleep 1; done
    for i in 1 2 3 4 5; do
      ids=$(docker ps -aq --filter label=${LABEL}=${runId})
      [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1
      sleep 2
    done
    exit 0`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}
