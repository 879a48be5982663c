// The Docker engine: checks that one answers, and removes every container this run started,
// even when the run is killed. Ryuk cannot be pulled here, so a detached shell takes its job.
import { execFileSync, spawn } from "node:child_process";
import { hostname } from "node:os";
import { UsageError } from "./usage-error.js";

export const LABEL = "crud-conformance.run";

export function assertDockerAvailable() {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "pipe", timeout: 20_000 });
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new UsageError(
      missing
        ? "no docker client on PATH; run scripts/ensure-docker.sh (installs Debian's docker.io and starts dockerd), or use CONFORMANCE_TARGETS=url:<base-url>"
        : "no Docker engine answers `docker info`; run scripts/ensure-docker.sh, or set DOCKER_HOST to a running engine, or use CONFORMANCE_TARGETS=url:<base-url>",
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
  const script = `
    while kill -0 ${pid} 2>/dev/null; do sleep 1; done
    ids=$(docker ps -aq --filter label=${LABEL}=${runId})
    [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1
    exit 0`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}
