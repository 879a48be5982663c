// The HTTP client checks use. node:http, not fetch: checks need bodies without a Content-Type,
// chunked bodies, bodies sent slowly, and HEAD. Every response is validated against the spec and
// recorded for the report. HTTP/1.1 by default, over TLS for https: base URLs; another transport
// (harness/client/h2.ts) can carry the same requests.
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { setImmediate as yieldToReads, setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { validateResponse, type Violation } from "./validate.js";
import { CheckError } from "../base/check-error.js";
import type { HangWatch } from "./hang.js";
import { curlLines, type RecordedRequest } from "./curl.js";
import type { TlsTrust } from "./tls.js";
import type { components } from "../generated/openapi.js";

export interface RecordedExchange {
  request: RecordedRequest;
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

/**
 * One response. Its body is read in one of two ways:
 * - as the spec says it is, once the status says which schema that is: `bodyOf(res, "User").id`,
 *   `bodyOf(res, "UserPage").total` (the names of components.schemas in spec/openapi.yaml);
 * - as sent, when a check inspects a body that may be anything (malformed, or any of several kinds):
 *   `json`, which is `unknown` and narrowed explicitly.
 */
export interface ApiResponse {
  status: number;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  body: Buffer;
  text: string;
  /** The parsed body, or undefined when it is not JSON; `bodyOf` reads it as a schema of the spec. */
  json: unknown;
  /** The body as it came over the wire, when a Content-Encoding (gzip) was removed from it. */
  encoded?: Buffer;
}

/** The schemas of spec/openapi.yaml (components.schemas), by name: "User", "UserPage", "Problem", ... */
export type Schemas = components["schemas"];

/**
 * The body of `res` as the spec's schema `name`. A type assertion, not a check: every response was
 * already validated against the spec (ajv, in Api.request and Api.observe), and one that breaks it
 * fails its check whatever the check reads. Use it once the status says which schema the body has,
 * and never on a response requested with `validate: false`.
 */
export const bodyOf = <N extends keyof Schemas>(res: ApiResponse, _name: N): Schemas[N] => res.json as Schemas[N];

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is (no Content-Type is added). */
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked, in pieces of this many bytes. */
  chunked?: number;
  timeoutMs?: number;
  /**
   * false: record the exchange but do not validate it against the spec, for a response the spec
   * cannot describe (a method token OpenAPI 3.1 has no field for, such as QUERY or PROPFIND).
   */
  validate?: boolean;
}

/** One request, as a transport sends it. */
export interface WireRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  options: RequestOptions;
  /** For https: URLs: what the client trusts. */
  tls?: TlsTrust;
  /** Ends the request early (its target was found hung). */
  signal?: AbortSignal;
  /** Persistent connections to use (ApiOptions.agent); a fresh connection otherwise. */
  agent?: http.Agent;
}

/** Sends one request and reads the whole response (HTTP/1.1 here; HTTP/2 in harness/client/h2.ts). */
export type Transport = (request: WireRequest) => Promise<ApiResponse>;

export interface ApiOptions {
  /** Defaults to HTTP/1.1 on a fresh connection. */
  transport?: Transport;
  /** For https: base URLs (the `tls` profile): the CA the client trusts, and the name to check. */
  tls?: TlsTrust;
  /** Sees every request, so that a server that stops answering fails fast (harness/client/hang.ts). */
  watch?: HangWatch;
  /**
   * Requests share this agent's persistent connections instead of a fresh connection each (no
   * `Connection: close`): for long runs of ordinary requests, such as the model-based sequences,
   * where a connection per request is most of the cost.
   */
  agent?: http.Agent;
}

/** A request that reached its own timeout (`RequestOptions.timeoutMs`). */
class RequestTimeout extends Error {}

/** Headers that change on every response; redacted in the report. */
const VOLATILE = new Set(["date", "x-request-id", "etag", "last-modified"]);
const preview = (b: Buffer) => (b.length > 2048 ? `${b.subarray(0, 2048).toString()}… (${b.length} bytes)` : b.toString());
/** Lowercased names, repeated headers joined with ", ", HTTP/2 pseudo-headers (":status") left out. */
export const flat = (h: http.IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(h)
      .filter(([k]) => !k.startsWith(":"))
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
  );

/** What one check saw: its exchanges and the spec violations among them. */
export class Recorder {
  exchanges: RecordedExchange[] = [];
  violations: Violation[] = [];

  record(exchange: RecordedExchange) {
    this.exchanges.push(exchange);
    if (this.exchanges.length > 20) this.exchanges.splice(0, this.exchanges.length - 20);
  }
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly recorder = new Recorder(),
    readonly options: ApiOptions = {},
  ) {}

  /** The same server and recorder, another transport (e.g. HTTP/2). */
  via(transport: Transport): Api {
    return new Api(this.baseUrl, this.recorder, { ...this.options, transport });
  }

  /** Another server of the same target (a fresh one a check started), with the same options and watch, and `more`. */
  at(baseUrl: string, recorder = new Recorder(), more: Pick<ApiOptions, "agent"> = {}): Api {
    return new Api(baseUrl, recorder, { ...this.options, ...more });
  }

  get = (path: string, o?: RequestOptions) => this.request("GET", path, o);
  head = (path: string, o?: RequestOptions) => this.request("HEAD", path, o);
  post = (path: string, json: unknown, o?: RequestOptions) => this.request("POST", path, { json, ...o });
  put = (path: string, json: unknown, o?: RequestOptions) => this.request("PUT", path, { json, ...o });
  patch = (path: string, json: unknown, o?: RequestOptions) => this.request("PATCH", path, { json, ...o });
  delete = (path: string, o?: RequestOptions) => this.request("DELETE", path, o);

  /** Sends one request (on a fresh connection, unless `agent` is set) and validates the response against the spec. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(this.options.agent ? {} : { connection: "close" }), ...options.headers };
    let body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers["content-type"] ??= "application/json";
    }
    if (body && !options.chunked) headers["content-length"] ??= String(body.length);
    const url = new URL(path, this.baseUrl);
    const exchange = this.begin(method, path, headers, body);
    const transport = this.options.transport ?? send;
    const { watch, tls, agent } = this.options;
    const watched = watch?.start(this.baseUrl, () => curlLines(exchange.request, this.baseUrl).at(-1)!);
    const wire = await transport({
      url,
      method,
      headers,
      body,
      options,
      ...(tls ? { tls } : {}),
      ...(agent ? { agent } : {}),
      ...(watched ? { signal: watched.signal } : {}),
    }).catch((e: Error) => {
      watched?.done(false, e instanceof RequestTimeout);
      exchange.error = e.message;
      watch?.assertAnswering(); // ended because the target hung: that is the reason
      throw new CheckError(`${method} ${path}: ${e.message}`);
    });
    watched?.done(true);
    return this.finish(exchange, method, path, wire, options.validate !== false);
  }

  /**
   * Records and validates a response that came another way (a raw socket), as request() does: it
   * shows in the report, and a spec violation fails the check.
   */
  observe(method: string, path: string, headers: Record<string, string>, wire: ApiResponse): ApiResponse {
    return this.finish(this.begin(method, path, headers), method, path, wire);
  }

  private begin(method: string, path: string, headers: Record<string, string>, body?: Buffer): RecordedExchange {
    const exchange: RecordedExchange = { request: { method, url: path, headers, ...(body ? { body: preview(body) } : {}) } };
    this.recorder.record(exchange);
    return exchange;
  }

  private finish(exchange: RecordedExchange, method: string, path: string, wire: ApiResponse, validate = true): ApiResponse {
    const redacted = Object.fromEntries(Object.entries(wire.headers).map(([k, v]) => [k, VOLATILE.has(k) ? "<redacted>" : v!]));
    exchange.response = { status: wire.status, headers: redacted, body: preview(wire.body) };
    const res = decode(wire, `${method} ${path}`);
    if (res.encoded) exchange.response.body = `${preview(res.body)} (${res.encoded.length} bytes of gzip on the wire)`;
    const violation = validate && validateResponse({ method, path: new URL(path, this.baseUrl).pathname, ...res });
    if (violation) this.recorder.violations.push(violation);
    return res;
  }
}

/** The parsed JSON of a body, or undefined. */
const parseJson = (data: Buffer): unknown => {
  try {
    return data.length ? JSON.parse(data.toString("utf8")) : undefined;
  } catch {
    return undefined;
  }
};

/** An ApiResponse from a status, headers and the body bytes. */
export const responseOf = (status: number, headers: Record<string, string | undefined>, data: Buffer): ApiResponse => ({
  status,
  headers,
  body: data,
  text: data.toString("utf8"),
  json: parseJson(data),
});

/** Removes a gzip Content-Encoding (the only coding checks ask for), keeping the wire bytes in `encoded`. */
function decode(res: ApiResponse, what: string): ApiResponse {
  const coding = res.headers["content-encoding"]?.trim().toLowerCase();
  if (!coding || coding === "identity" || res.body.length === 0) return res;
  if (coding !== "gzip") throw new CheckError(`${what}: Content-Encoding ${coding}, which the request did not offer`);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(res.body);
  } catch (e) {
    throw new CheckError(`${what}: Content-Encoding gzip, but the ${res.body.length}-byte body does not inflate (${(e as Error).message})`);
  }
  return { ...responseOf(res.status, res.headers, inflated), encoded: res.body };
}

/** Bodies larger than this are sent in pieces, reading between them. */
export const PIECE = 65_536;

export function send(wire: WireRequest, retried = false): Promise<ApiResponse> {
  const { url, method, headers, body, options: o, tls, signal, agent } = wire;
  return new Promise<ApiResponse>((resolve, reject) => {
    const timeoutMs = o.timeoutMs ?? 30_000; // a busy engine can stall a container for seconds; a server that hangs still fails
    let answered = false;
    const large = body !== undefined && (o.chunked !== undefined || body.length > PIECE);
    // A large body over cleartext goes through the socket's descriptor (descriptorOf), so the socket
    // is connected here and handed to node:http, which only reads the response from it.
    const socket = large && url.protocol === "http:" ? net.connect({ host: url.hostname, port: Number(url.port || 80) }) : undefined;
    const request = url.protocol === "https:" ? https.request : http.request;
    const connection = socket ? { createConnection: () => socket } : { agent: agent ?? (false as const) };
    const req = request(url, { method, headers, ...connection, ...tls, ...(signal ? { signal } : {}) }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      // A reset after the whole response was read (a server that answered early and closed) is not an error.
      res.on("error", (e) => (res.complete ? undefined : reject(e)));
      res.on("end", () => {
        resolve(responseOf(res.statusCode!, flat(res.headers), Buffer.concat(chunks)));
        if (!agent) req.destroy(); // an agent keeps the connection for the next request
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new RequestTimeout(`no response within ${timeoutMs / 1000} s`)));
    let sent = 0;
    // A server may answer (413) and close before the whole body is sent: the response wins.
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (answered) return;
      // A persistent connection the server closed while it was idle, as this request went out:
      // the request never reached it, so it is sent once more (the agent has dropped that socket).
      if (req.reusedSocket && !retried && ["EPIPE", "ECONNRESET"].includes(e.code!)) return void send(wire, true).then(resolve, reject);
      if (!body || !["EPIPE", "ECONNRESET"].includes(e.code!)) return reject(e);
      reject(
        new Error(
          `${e.code}: the server closed the connection while the body was being sent ` +
            `(${sent} of ${body.length} bytes written) and no response was read; ` +
            `a server that answers before the whole body arrives must keep reading it (RFC 9112 §9.6)`,
        ),
      );
    });
    if (!body) return void req.end();
    if (!large) return void req.end(body);
    const done = () => answered || req.destroyed;
    (async () => {
      let write: (data: Buffer) => Promise<boolean>;
      if (socket) {
        await once(socket, "connect").catch(() => {}); // a failed connect is the request's error
        if (done()) return;
        const through = descriptorOf(socket);
        const chunked = o.chunked !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "transfer-encoding");
        const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
        if (chunked) head.push("transfer-encoding: chunked");
        write = (data) => through.write(data, done);
        if (!(await write(Buffer.from(`${head.join("\r\n")}\r\n\r\n`)))) return;
        if (o.chunked !== undefined) {
          const frame = write;
          write = async (data) => frame(Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]));
        }
      } else {
        req.flushHeaders();
        write = async (data) => {
          await yieldToReads(); // a response that arrived meanwhile is read first
          if (!done()) await new Promise((r) => req.write(data, r));
          return !done();
        };
      }
      if (o.chunked === undefined) {
        // Let a server that rejects a large declared Content-Length answer before the body is sent:
        // up to 1 s (a busy machine can take that long to deliver the answer), less once it has.
        for (const until = Date.now() + 1000; !done() && Date.now() < until; ) await sleep(20);
      }
      const piece = o.chunked ?? PIECE;
      while (sent < body.length && !done()) {
        const chunk = body.subarray(sent, sent + piece);
        if (!(await write(chunk))) return;
        sent += chunk.length;
      }
      if (done()) return;
      if (!socket) req.end();
      else if (o.chunked !== undefined) await write(Buffer.alloc(0)); // the last chunk
    })();
  });
}

/**
 * Writes to a connected socket through its descriptor rather than its stream. A write the server
 * refuses (EPIPE, ECONNRESET: it answered early, closed and reset the connection, RFC 9112 §9.6)
 * only stops the writing: node:http would destroy the socket on it, and lose a response that is
 * waiting to be read, but here the socket stays open and the response is read as it would have
 * been. A server that resets without answering still fails, on the read side.
 *
 * The socket is not closed while a write is in flight (its _destroy waits for it): a descriptor
 * closed under a queued write could be reused by another connection of this process, which would
 * get the bytes.
 */
function descriptorOf(socket: net.Socket) {
  const fd = (socket as net.Socket & { _handle: { fd: number } })._handle.fd;
  let inFlight: Promise<unknown> = Promise.resolve();
  const destroy = socket._destroy;
  socket._destroy = (error, callback) => {
    const close = () => destroy.call(socket, error, callback);
    void inFlight.then(close, close);
  };
  const writeFrom = (data: Buffer, from: number) =>
    (inFlight = new Promise<number>((resolve, reject) => fs.write(fd, data, from, data.length - from, null, (e, n) => (e ? reject(e) : resolve(n)))));
  return {
    /** Writes all of `data` unless `stop()` or a refused write ends it first; whether it was all written. */
    async write(data: Buffer, stop: () => boolean): Promise<boolean> {
      let written = 0;
      for (let pause = 1; written < data.length && !stop() && !socket.destroyed; ) {
        try {
          written += await writeFrom(data, written);
          pause = 1;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return false;
          await sleep(pause); // the socket's buffer is full: the server is not reading yet
          pause = Math.min(pause * 2, 50);
        }
      }
      return written === data.length;
    },
  };
}
