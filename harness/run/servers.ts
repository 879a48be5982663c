// A worker's handle on a server under test: the run's broker (harness/run/broker.ts, in the main
// process) starts and stops the container; this asks it to, over loopback HTTP.
import http from "node:http";
import type { StartRequest } from "./broker.js";
import type { ExitStatus } from "./container.js";
import type { TlsTrust } from "../client/tls.js";

const agent = new http.Agent({ keepAlive: true });

/** One broker operation; rejects with the broker's message (and the server's log, when it has one). */
function call<T>(broker: string, op: string, body: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${broker}/${op}`, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString() || "{}");
        if (res.statusCode === 200) resolve(answer as T);
        else reject(Object.assign(new Error(answer.error ?? `broker answered ${res.statusCode}`), { log: answer.log as string | undefined }));
      });
      res.on("error", reject);
    });
    req.on("error", (e) => reject(new Error(`the run's container broker at ${broker} did not answer (${e.message}); was the run stopped?`)));
    req.end(JSON.stringify(body));
  });
}

/**
 * Takes a slot in the run's limit of targets checked at once (harness/run/broker.ts), waiting for one
 * to free up; `leave` gives it back. A suite file takes one per target, at its first check.
 */
export const admit = (broker: string, op: "admit" | "leave" = "admit") => call<object>(broker, op, {}).then(() => {});

/** What a check holds of a server it started: a container (Server), or an in-process app (harness/run/app.ts). */
export type ServerHandle = Pick<Server, "id" | "baseUrl" | "tls" | "signal" | "waitForExit" | "log" | "stop">;

export class Server {
  private constructor(
    private readonly broker: string,
    readonly id: string,
    /** http(s)://host:port */
    readonly baseUrl: string,
    /** Set when the server was started with the `tls` profile's certificate: what a client trusts. */
    readonly tls?: TlsTrust,
  ) {}

  /** Starts a fresh server and waits until GET /health answers 200. */
  static async start(broker: string, request: StartRequest): Promise<Server> {
    const { id, baseUrl, tls } = await call<{ id: string; baseUrl: string; tls?: TlsTrust }>(broker, "start", request);
    return new Server(broker, id, baseUrl, tls);
  }

  /** Sends a signal to the server (PID 1 in the container). */
  signal(signal: "SIGTERM" | "SIGINT") {
    return call<object>(this.broker, "signal", { id: this.id, signal });
  }

  /** Waits for the process to exit; undefined if it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus | undefined> {
    return (await call<{ exit: ExitStatus | null }>(this.broker, "exit", { id: this.id, timeoutMs })).exit ?? undefined;
  }

  /** Everything the server has written to stdout and stderr so far. */
  async log(): Promise<string> {
    return (await call<{ log: string }>(this.broker, "log", { id: this.id })).log;
  }

  /** Stops and removes the container at once. */
  async stop() {
    await call<object>(this.broker, "stop", { id: this.id });
  }
}
