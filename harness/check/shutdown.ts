// Drives one graceful-shutdown scenario against a fresh server and records what happened:
//   an idle keep-alive connection and a POST whose body is half sent are open; the signal goes;
//   1.1 s later a new connection is tried; 9 s after the signal the rest of the body is sent;
//   then the response and the exit status are collected. A scenario may also hold something else
//   open through all this (the `websocket` profile's sockets) and collect what became of it.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ExitStatus } from "../run/container.js";
import type { ServerHandle } from "../run/servers.js";
import { assert, expectEqual, fail } from "./expect.js";

export type Signal = "SIGTERM" | "SIGINT";

export interface ShutdownObservation {
  /** What a new connection 1.1 s after the signal got: refused/reset/closed, or a response. */
  probe: { refused: boolean; detail: string };
  /** When the idle keep-alive connection closed, if it did before the in-flight body was finished. */
  idleClosedAt?: number;
  /** The in-flight request's outcome. */
  inflight: { status?: number; body?: string; error?: string; at: number };
  exit?: ExitStatus;
}

/** What a scenario holds open besides its requests: opened before the signal, collected after the exit. */
export interface Held<T> {
  /** Settles once the held thing has ended (bounded by the scenario). */
  outcome: Promise<T>;
  /** Lets go of it, if it is still open. */
  release(): void;
}

export const FINISH_BODY_AFTER_MS = 9_000;
export const PROBE_AFTER_MS = 1_100;

/** A GET on a keep-alive connection; resolves with the socket once the response is read. */
function idleConnection(base: URL) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<import("node:net").Socket>((resolve, reject) => {
    const req = http.get(new URL("/health", base), { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(req.socket!));
    });
    req.on("error", reject);
  });
}

/** A new connection: refused, reset or closed without a response all count as refused. */
function probe(base: URL) {
  return new Promise<{ refused: boolean; detail: string }>((resolve) => {
    const req = http.get(new URL("/health", base), { agent: false, headers: { connection: "close" } }, (res) => {
      res.resume();
      resolve({ refused: false, detail: `a new connection was answered ${res.statusCode}` });
    });
    req.setTimeout(3000, () => {
      req.destroy();
      resolve({ refused: false, detail: "a new connection was accepted but not answered within 3 s" });
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ refused: true, detail: e.code ?? e.message }));
  });
}

export async function runShutdown<T = never>(
  server: ServerHandle,
  signal: Signal,
  hold?: (base: URL) => Promise<Held<T>>,
): Promise<ShutdownObservation & { held?: T | undefined }> {
  const base = new URL(server.baseUrl);
  const held = await hold?.(base); // first: when it cannot be opened, nothing else is left open
  const idle = await idleConnection(base);
  let idleClosedAt: number | undefined;
  idle.on("close", () => (idleClosedAt ??= Date.now()));

  const body = JSON.stringify({ name: "In Flight", email: `inflight-${signal.toLowerCase()}@example.com` });
  const half = Math.floor(body.length / 2);
  const req = http.request(new URL("/api/users", base), {
    method: "POST",
    agent: false,
    headers: { "content-type": "application/json", "content-length": String(body.length) },
  });
  const inflight = new Promise<ShutdownObservation["inflight"]>((resolve) => {
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), at: Date.now() }));
      res.on("error", (e) => resolve({ status: res.statusCode, error: `response cut: ${e.message}`, at: Date.now() }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, at: Date.now() }));
    req.setTimeout(FINISH_BODY_AFTER_MS + 10_000, () => req.destroy(new Error("no response within 10 s of the finished body")));
  });
  req.write(body.slice(0, half));
  await sleep(500); // the server has read the headers: the request is in flight

  const signalAt = Date.now();
  await server.signal(signal);
  await sleep(signalAt + PROBE_AFTER_MS - Date.now());
  const probed = await probe(base);
  await sleep(signalAt + FINISH_BODY_AFTER_MS - Date.now());
  const idleBefore = idleClosedAt;
  if (!req.destroyed) req.end(body.slice(half));
  const result = await inflight;
  idle.destroy();
  const exit = await server.waitForExit(10_000);
  const heldOutcome = held && (await Promise.race([held.outcome, sleep(2000).then(() => undefined)]));
  held?.release();
  return { probe: probed, idleClosedAt: idleBefore, inflight: result, ...(exit ? { exit } : {}), ...(held ? { held: heldOutcome } : {}) };
}

/** The contract's four points: number, title (to be followed by the signal), and the assertion. */
export const SHUTDOWN_POINTS = [
  [
    "01",
    `MUST stop accepting new connections within 1 s of`,
    (o: ShutdownObservation) => {
      assert(o.probe.refused, `${o.probe.detail} ${PROBE_AFTER_MS} ms after the signal`);
    },
  ],
  [
    "02",
    `MUST complete a request whose body is still arriving (finished ${FINISH_BODY_AFTER_MS / 1000} s later) after`,
    (o: ShutdownObservation) => {
      if (o.inflight.error) fail(`the in-flight POST got no full response: ${o.inflight.error}`);
      expectEqual(o.inflight.status, 201, "status of the in-flight POST");
      assert(JSON.parse(o.inflight.body ?? "null")?.name === "In Flight", `the in-flight 201 body is incomplete: ${JSON.stringify(o.inflight.body)}`);
    },
  ],
  [
    "03",
    "MUST close idle keep-alive connections on",
    (o: ShutdownObservation) => {
      assert(o.idleClosedAt !== undefined, `the idle keep-alive connection was still open ${FINISH_BODY_AFTER_MS / 1000} s after the signal`);
    },
  ],
  [
    "04",
    "MUST exit with status 0 within 2 s of its last in-flight response after",
    (o: ShutdownObservation) => {
      if (!o.exit) fail("the server was still running 10 s after its last in-flight response");
      expectEqual(o.exit.exitCode, 0, "exit status");
      const after = o.exit.finishedAt - o.inflight.at;
      assert(after <= 2000, `exited ${after} ms after the last in-flight response, expected at most 2000`);
    },
  ],
] as const;
