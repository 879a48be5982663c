// The HTTP client checks use. node:http, not fetch: checks need bodies without a Content-Type,
// chunked bodies, bodies sent slowly, and HEAD. Every response is validated against the spec and
// recorded for the report.
import http from "node:http";
import { validateResponse, type Violation } from "./validate.js";
import { CheckError } from "./check-error.js";

export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

export interface ApiResponse {
  status: number;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  body: Buffer;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

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

/** Headers that change on every response; redacted in the report. */
const VOLATILE = new Set(["date", "x-request-id", "etag", "last-modified"]);
const preview = (b: Buffer) => (b.length > 2048 ? `${b.subarray(0, 2048).toString()}… (${b.length} bytes)` : b.toString());
const flat = (h: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));

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
  ) {}

  get = (path: string, o?: RequestOptions) => this.request("GET", path, o);
  head = (path: string, o?: RequestOptions) => this.request("HEAD", path, o);
  post = (path: string, json: unknown, o?: RequestOptions) => this.request("POST", path, { json, ...o });
  put = (path: string, json: unknown, o?: RequestOptions) => this.request("PUT", path, { json, ...o });
  patch = (path: string, json: unknown, o?: RequestOptions) => this.request("PATCH", path, { json, ...o });
  delete = (path: string, o?: RequestOptions) => this.request("DELETE", path, o);

  /** Sends one request on a fresh connection and validates the response against the spec. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { connection: "close", ...options.headers };
    let body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers["content-type"] ??= "application/json";
    }
    if (body && !options.chunked) headers["content-length"] ??= String(body.length);
    const url = new URL(path, this.baseUrl);
    const exchange: RecordedExchange = {
      request: { method, url: path, headers, ...(body ? { body: preview(body) } : {}) },
    };
    this.recorder.record(exchange);
    const res = await send(url, method, headers, body, options).catch((e: Error) => {
      exchange.error = e.message;
      throw new CheckError(`${method} ${path}: ${e.message}`);
    });
    const redacted = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, VOLATILE.has(k) ? "<redacted>" : v!]));
    exchange.response = { status: res.status, headers: redacted, body: preview(res.body) };
    const violation = options.validate !== false && validateResponse({ method, path: url.pathname, ...res });
    if (violation) this.recorder.violations.push(violation);
    return res;
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, o: RequestOptions) {
  return new Promise<ApiResponse>((resolve, reject) => {
    const timeoutMs = o.timeoutMs ?? 10_000;
    let answered = false;
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const data = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = data.length ? JSON.parse(data.toString("utf8")) : undefined;
        } catch {}
        resolve({ status: res.statusCode!, headers: flat(res.headers), body: data, text: data.toString("utf8"), json });
        req.destroy();
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs / 1000} s`)));
    let sent = 0;
    // A server may answer (413) and close before the whole body is sent: the response wins.
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (answered) return;
      if (!body || !sent || !["EPIPE", "ECONNRESET"].includes(e.code!)) return reject(e);
      reject(new Error(
        `${e.code}: the server closed the connection while the body was being sent ` +
          `(${sent} of ${body.length} bytes written) and no response was read; ` +
          `a server that answers before the whole body arrives must keep reading it (RFC 9112 §9.6)`,
      ));
    });
    if (!body) return void req.end();
    if (!o.chunked && body.length <= 65_536) return void req.end(body);
    (async () => {
      if (!o.chunked) {
        // Let a server that rejects a large declared Content-Length answer before the body is sent.
        req.flushHeaders();
        await new Promise((r) => setTimeout(r, 300));
      }
      // Send in pieces, stopping once a response has arrived. (This cannot save a response that
      // arrives with a reset while a piece is being written: the server must keep reading.)
      const piece = o.chunked ?? 65_536;
      while (sent < body.length && !answered && !req.destroyed) {
        const chunk = body.subarray(sent, sent + piece);
        sent += chunk.length;
        await new Promise((r) => req.write(chunk, r));
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}
