// Runs once per target project, in the main vitest process, before any suite file of the target:
// checks the Docker engine, starts the container reaper, and builds the target's image.
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";
import { buildImage, imageExists } from "./build.js";
import { assertDockerAvailable, removeContainers, startReaper } from "./docker.js";
import { UsageError } from "./usage-error.js";
import type { Target } from "./targets.js";

const run = ((globalThis as any).__crudConformanceRun ??= { id: randomUUID(), dockerChecked: false, tornDown: false });

/** One line, no stack trace, then exit: the error names its fix. */
function exitWith(error: unknown): never {
  if (!(error instanceof UsageError)) throw error;
  console.error(`\ncrud-conformance: ${error.message}\n`);
  process.exit(2);
}

async function prepare(target: Target) {
  if (target.kind === "url") {
    const ok = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
    if (!ok) throw new UsageError(`${target.name}: GET ${target.url}/health did not answer 200; start the server first`);
    return;
  }
  if (!run.dockerChecked) {
    assertDockerAvailable();
    startReaper(run.id);
    run.dockerChecked = true;
  }
  if (target.kind === "implementation") await buildImage(target.dir!, target.manifest!, target.image!);
  else if (!(await imageExists(target.image!))) {
    throw new UsageError(`${target.name}: image ${target.image} is not in the Docker engine; build it or \`docker load\` it first`);
  }
}

export default async function setup(project: TestProject) {
  const target = project.config.provide.target as Target;
  project.provide("runId", run.id);
  await prepare(target).catch(exitWith);
  return () => {
    if (run.dockerChecked && !run.tornDown) {
      run.tornDown = true;
      removeContainers(run.id);
    }
  };
}
