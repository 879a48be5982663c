// The run's container broker: the one place that starts and stops servers under test. It lives in
// the main vitest process (global setup) and owns every container through testcontainers; the
// workers that run the checks ask it for servers over loopback HTTP (harness/run/servers.ts), so no
// worker loads testcontainers and its Docker client, and one limit holds the engine's start queue
// short for the whole run.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Pod, StartedImplementationContainer } from "./container.js";
import { runLabels } from "./docker.js";
import type { Pki } from "../client/tls.js";

/** What a worker asks for: POST /start. */
export interface StartRequest {
  image: string;
  env?: Record<string, string>;
  /** The `tls` profile: TLS_CERT and TLS_KEY from the run's PKI. */
  tls?: boolean;
}

/** How much a run does at once (harness/run/limits.ts). */
export interface RunLimits {
  /** Targets checked at once, over all suite files: each holds a slot from its first check in a file to its last. */
  targets: number;
  /** Containers starting at once: a burst of dozens of `docker run`s only queues up in the engine. */
  starts: number;
}

class Limit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

export interface Broker {
  /** Where workers reach it: http://127.0.0.1:<port>. */
  url: string;
  /** Stops every server still running, then stops answering. */
  close(): Promise<void>;
}

export async function startBroker(runId: string, pod: Pod | undefined, pki: Pki, limits: RunLimits): Promise<Broker> {
  // testcontainers loads in the background, while vitest starts its workers.
  const containers = import("./container.js");
  const servers = new Map<string, StartedImplementationContainer>();
  const starts = new Limit(limits.starts);
  const slots = new Limit(limits.targets);
  /** Each slot taken: its release, first in first out. */
  const held: (() => void)[] = [];

  async function start({ image, env, tls }: StartRequest) {
    const { ImplementationContainer } = await containers;
    const container = new ImplementationContainer(image, pod).withLabels(runLabels(runId));
    if (env) container.withEnvironment(env);
    if (tls) container.withTls(pki);
    // A server that never becomes healthy is removed; its error carries what it wrote (`log`).
    const server = await starts.run(() => container.start());
    servers.set(server.getId(), server);
    return { id: server.getId(), baseUrl: server.baseUrl, tls: server.tls };
  }

  const server = (id: string) => {
    const found = servers.get(id);
    if (!found) throw new Error(`no server ${id} in this run`);
    return found;
  };

  async function stop(id: string) {
    const found = servers.get(id);
    servers.delete(id);
    await found?.stop({ timeout: 0 }).catch(() => {});
  }

  /** What the workers send (harness/run/servers.ts): a start request, or a server's id with the op's arguments. */
  type Body = StartRequest & { id: string; signal: "SIGTERM" | "SIGINT"; timeoutMs: number };
  const ops: Record<string, (body: Body) => Promise<unknown>> = {
    start,
    signal: async ({ id, signal }) => void (await server(id).signal(signal)),
    exit: async ({ id, timeoutMs }) => ({ exit: (await server(id).waitForExit(timeoutMs)) ?? null }),
    log: async ({ id }) => ({
      log:
        (await servers
          .get(id)
          ?.log()
          .catch(() => "")) ?? "",
    }),
    stop: async ({ id }) => void (await stop(id)),
    // A slot is held across requests, so admit resolves once one is free and leave frees one.
    admit: () =>
      new Promise<void>((taken) => {
        void slots.run(
          () =>
            new Promise<void>((release) => {
              held.push(release);
              taken();
            }),
        );
      }),
    leave: async () => void held.shift()?.(),
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const op = ops[req.url?.slice(1) ?? ""];
    try {
      if (!op || req.method !== "POST") throw new Error(`no operation ${req.method} ${req.url}`);
      const result = await op(JSON.parse(Buffer.concat(chunks).toString() || "{}"));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result ?? {}));
    } catch (e) {
      const error = e as Error & { log?: string };
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: error.message, log: error.log }));
    }
  }

  const http = createServer((req, res) => void handle(req, res));
  http.keepAliveTimeout = 60_000;
  http.requestTimeout = 0; // an admit waits as long as the targets ahead of it take

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await Promise.all([...servers.keys()].map(stop));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
