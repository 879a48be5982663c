// A raw TCP client for what an HTTP client library will not do: send request headers a few bytes
// at a time (slow-client), or cleartext to a TLS port. It reports what came back and when.
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { responseOf, type ApiResponse } from "./http.js";

export interface RawOutcome {
  /** Everything the server sent. */
  received: Buffer;
  /** "closed": the server ended or reset the connection; "open": it was still open at the deadline. */
  ended: "refused" | "closed" | "open";
  /** Milliseconds from the first byte sent to the end (or the deadline). */
  afterMs: number;
}

export interface RawOptions {
  /** Pause between pieces. */
  intervalMs?: number;
  /** Give up (outcome "open") this long after the first byte. */
  deadlineMs: number;
}

/** Connects to the host and port of `baseUrl`, writes `pieces` one by one, and reads until the server closes or the deadline. */
export function rawExchange(baseUrl: string, pieces: (string | Buffer)[], { intervalMs = 0, deadlineMs }: RawOptions): Promise<RawOutcome> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let started = Date.now();
    let done = false;
    const end = (ended: RawOutcome["ended"]) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), ended, afterMs: Date.now() - started });
    };
    const deadline = setTimeout(() => end("open"), deadlineMs);
    const socket = net.connect({ host: hostname, port: Number(port) }, async () => {
      started = Date.now();
      for (const piece of pieces) {
        if (done || socket.destroyed || !socket.writable) return;
        socket.write(piece);
        if (intervalMs) await sleep(intervalMs);
      }
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => end("closed"));
    socket.on("close", () => end("closed"));
    socket.on("error", () => end(socket.connecting ? "refused" : "closed"));
  });
}

/**
 * Reads an HTTP/1.x response from raw bytes (Content-Length or close-delimited bodies); undefined
 * when the bytes do not start with a status line.
 */
export function parseResponse(bytes: Buffer): ApiResponse | undefined {
  const text = bytes.toString("latin1");
  const head = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/.exec(text);
  if (!head) return undefined;
  const headers: Record<string, string> = {};
  for (const line of head[2]!.split("\r\n").filter(Boolean)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = bytes.subarray(head[0].length);
  if (headers["content-length"] !== undefined) body = body.subarray(0, Number(headers["content-length"]));
  return responseOf(Number(head[1]), headers, body);
}

/** The status line of what the server sent, for a failure message. */
export const firstLine = (bytes: Buffer) => JSON.stringify(bytes.subarray(0, 80).toString("latin1").split("\r\n")[0]);
