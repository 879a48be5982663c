// Runs once, in the main vitest process, before any suite file: makes sure a Docker engine
// answers (starting one when it can), starts the container reaper, builds every target's image
// side by side, and starts the run's container broker, which the workers ask for servers.
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startBroker, type Broker } from "./broker.js";
import { buildImage, imageExists } from "./build.js";
import { ensureDocker, removeContainers, startReaper } from "./docker.js";
import { runLimits } from "./limits.js";
import { startPod } from "./pod.js";
import { makePki } from "../client/tls.js";
import { exitOnUsageError, UsageError } from "../base/usage-error.js";
import type { Target } from "./targets.js";

async function checkUrl(target: Target) {
  const ok = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!ok) throw new UsageError(`${target.name}: GET ${target.url}/health did not answer 200; start the server first`);
}

async function prepareImage(target: Target) {
  if (target.kind === "implementation") return void (await buildImage(target.dir!, target.manifest!, target.image!));
  await ensureDocker();
  if (!(await imageExists(target.image!))) {
    throw new UsageError(`${target.name}: image ${target.image} is not in the Docker engine; build it or \`docker load\` it first`);
  }
}

export default async function setup(project: TestProject) {
  const targets = project.config.provide.targets as Target[];
  // A tool that drives runs (scripts/soak.ts) may name the run, to find its containers.
  const runId = process.env.CONFORMANCE_RUN_ID || randomUUID();
  const containerized = targets.filter((t) => t.kind !== "url" && t.kind !== "app");
  let broker: Broker | undefined;
  try {
    await Promise.all(targets.filter((t) => t.kind === "url").map(checkUrl));
    // A run of url: and app: targets only starts no container: no engine, pod, certificates or broker.
    if (containerized.length) {
      // The images' host builds start at once; the engine may still be installing meanwhile.
      const engine = ensureDocker().then(() => startReaper(runId));
      // One build per image: the suite's broken server is one image for every fault.
      const byImage = new Map(containerized.map((t) => [t.image!, t]));
      const [pod, pki] = await Promise.all([startPod(runId), makePki(), engine, ...[...byImage.values()].map(prepareImage)]);
      const limits = runLimits(containerized.length);
      console.error(`crud-conformance: ${limits.line}`);
      broker = await startBroker(runId, pod, pki, limits);
      project.provide("broker", broker.url);
      project.provide("pki", pki);
    }
  } catch (e) {
    exitOnUsageError(e);
  }
  return async () => {
    if (!broker) return;
    await broker.close();
    removeContainers(runId);
  };
}
