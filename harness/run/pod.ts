// The run's pod: one small container whose network (and IPC) namespace every server of the run joins
// (harness/run/container.ts). Creating a network namespace, a bridge port and a port mapping is most
// of what starting a container costs the engine; a pod pays for it once per run instead of once
// per server. Where the host cannot reach a container's bridge address (a remote engine, Docker
// Desktop), or with CONFORMANCE_NETWORK=publish, servers get their own network and a published port.
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { buildServer } from "./build.js";
import type { Pod } from "./container.js";
import { docker, runLabels } from "./docker.js";
import { UsageError } from "../base/usage-error.js";

const POD_PORT = 8080;

/** Whether a TCP connection to host:port opens within `ms`, trying again every 100 ms. */
async function reachable(host: string, port: number, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port, timeout: 500 }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return true;
    await sleep(100);
  }
  return false;
}

/** CONFORMANCE_NETWORK: `pod` (the default) or `publish`; anything else is a one-line error. */
export function networkMode(env: NodeJS.ProcessEnv = process.env): "pod" | "publish" {
  const mode = env.CONFORMANCE_NETWORK || "pod";
  if (mode !== "pod" && mode !== "publish") throw new UsageError(`CONFORMANCE_NETWORK must be pod or publish, got "${mode}"`);
  return mode;
}

/** Starts the run's pod; undefined when servers should publish their ports instead. */
export async function startPod(runId: string): Promise<Pod | undefined> {
  if (networkMode() === "publish") return undefined;
  const image = await buildServer("harness/run/pod");
  const labels = Object.entries(runLabels(runId)).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const id = await docker("run", "-d", ...labels, "--memory", "64m", "--ipc", "shareable", "-e", `PORT=${POD_PORT}`, image);
  const host = await docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id);
  if (host && (await reachable(host, POD_PORT, 3000))) return { id, host };
  await docker("rm", "-f", id).catch(() => "");
  console.error("crud-conformance: this host does not reach containers at their bridge address; each server gets its own network and a published port");
  return undefined;
}
