// Serves the app on 0.0.0.0:$PORT (HTTPS when TLS_CERT and TLS_KEY are set), as PID 1 in its
// container: SIGTERM and SIGINT stop it gracefully, as the contract's shutdown section says.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { createApp } from "./app.js";
import { problemBody } from "./problem.js";

/** How long in-flight requests may run after a signal. */
const SHUTDOWN_GRACE_MS = 30_000;

const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

const options: http.ServerOptions = {
  // A client still sending its headers after 10 s is answered 408 and cut off (Node's default is
  // 60 s, checked every 30 s: the check runs every second here).
  headersTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
};
const { TLS_CERT, TLS_KEY } = process.env;
const app = createApp();
const server =
  TLS_CERT && TLS_KEY
    ? https.createServer({ ...options, cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) }, app)
    : http.createServer(options, app);

/**
 * A request Node's parser refuses never reaches Express: without this, Node answers a bare
 * `400 Bad Request`. A method token it does not know (FROBNICATE) is one it does not implement: 501,
 * as a problem like every other error. The rest keep Node's statuses.
 */
server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
  if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  const [status, detail] =
    err.code === "HPE_INVALID_METHOD"
      ? [501, "the server does not implement this method"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "the request headers did not arrive within 10 s"]
        : err.code === "HPE_HEADER_OVERFLOW"
          ? [431, "the request headers are too large"]
          : [400, "the request is not valid HTTP/1.1"];
  const body = JSON.stringify(problemBody(status, detail));
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
});

// A numeric address: a scratch image has no resolver configuration.
server.listen(port, "0.0.0.0", () => console.log(`listening on 0.0.0.0:${port}${TLS_CERT ? " (TLS)" : ""}`));

/**
 * server.close() stops accepting connections at once and closes the idle keep-alive ones (Node ≥
 * 19); in-flight requests go on. A connection whose response finishes afterwards is idle again, so
 * the idle ones are closed every 100 ms until none is left, then the process exits 0.
 */
function shutdown(signal: NodeJS.Signals) {
  console.log(`${signal}: closing the listener, finishing in-flight requests`);
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    console.error(`in-flight requests still running after ${SHUTDOWN_GRACE_MS / 1000} s; closing them`);
    server.closeAllConnections();
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  server.close(() => {
    clearInterval(sweep);
    clearTimeout(deadline);
    console.log("stopped");
    process.exit(0);
  });
}
// As PID 1 Node gets no default action for either signal: without these it would ignore both.
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
