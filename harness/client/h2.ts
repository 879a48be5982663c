// HTTP/2 for the `http2` profile: the checks' requests over node:http2, on a session of their own.
// Cleartext is h2c with prior knowledge (the connection preface straight away, no Upgrade); https:
// is TLS with ALPN h2. Connection-specific headers (RFC 9113 §8.2.2) are dropped, and so is
// Content-Length: DATA frames delimit the body (RFC 9113 §8.1.1).
import http2 from "node:http2";
import { flat, responseOf, type ApiResponse, type Transport } from "./http.js";

const DROPPED = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "content-length"]);

export const http2Transport: Transport = ({ url, method, headers, body, options, tls }) =>
  new Promise<ApiResponse>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 10_000;
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      reject(new Error(`no HTTP/2 response (${why})`));
    };
    const timer = setTimeout(() => fail(`nothing within ${timeoutMs / 1000} s`), timeoutMs);
    const session = http2.connect(url.origin, { ...tls, ...(tls ? { ALPNProtocols: ["h2"] } : {}) });
    session.on("error", (e: NodeJS.ErrnoException) => fail(e.code ? `${e.code}: ${e.message}` : e.message));
    session.on("close", () => fail("the connection closed before a response"));
    const sent = Object.fromEntries(Object.entries(headers).filter(([k]) => !DROPPED.has(k.toLowerCase())));
    const stream = session.request({ ":method": method, ":path": `${url.pathname}${url.search}`, ...sent }, { endStream: !body });
    stream.on("error", (e: NodeJS.ErrnoException) => fail(e.code ? `${e.code}: ${e.message}` : e.message));
    // A stream also closes when its connection does: let the connection say so first.
    stream.on("close", () => setImmediate(() => fail(`the stream closed before a response, RST_STREAM code ${stream.rstCode}`)));
    stream.on("response", (head) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(responseOf(Number(head[":status"]), flat(head), Buffer.concat(chunks)));
        session.close();
      });
    });
    if (body) stream.end(body);
  });
