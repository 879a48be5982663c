// In-process targets (`app:<module>`): a Node app checked without Docker. The module exports a
// factory of a request listener (`createApp`, or its default export); every suite file gets a
// fresh app on a listener of its own on 127.0.0.1, and its HTTP/1.1 requests go through
// supertest. Raw-socket, HTTP/2 and TLS clients use the listener's port, as for any server.
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import supertest from "supertest";
import { flat, PIECE, responseOf, send, type Transport } from "../client/http.js";
import type { ServerHandle } from "./servers.js";

type Factory = () => RequestListener | Promise<RequestListener>;

/** The module's factory: `createApp`, or the default export. */
async function factoryOf(module: string): Promise<Factory> {
  const loaded = (await import(pathToFileURL(module).href)) as { createApp?: unknown; default?: unknown };
  const factory = loaded.createApp ?? loaded.default;
  if (typeof factory !== "function") throw new Error(`${module} exports no createApp() or default factory of a Node request listener`);
  return factory as Factory;
}

let ids = 0;

/** Starts a fresh app from `module` on an ephemeral port of 127.0.0.1. */
export async function startApp(module: string): Promise<ServerHandle> {
  const listener = await (await factoryOf(module))();
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const noProcess = () => Promise.reject(new Error("an app: target runs in this process: it has no process to signal or to wait for"));
  return {
    id: `app-${++ids}`,
    baseUrl: `http://127.0.0.1:${port}`,
    signal: noProcess,
    waitForExit: noProcess,
    log: async () => "",
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * HTTP/1.1 through supertest. What supertest's client cannot send or would change on the way is
 * sent by the suite's own client instead, to the same listener: a body in chunks or larger than
 * 64 KiB (sent in pieces, reading between them), a method outside node:http's list, and a request
 * that offers a Content-Encoding (superagent would inflate the answer).
 */
export const supertestTransport: Transport = (request) => {
  const { url, method, headers, body, options } = request;
  const verb = method.toLowerCase() as "get";
  const client = supertest(url.origin);
  const offersEncoding = Object.keys(headers).some((h) => h.toLowerCase() === "accept-encoding");
  if (options.chunked !== undefined || (body?.length ?? 0) > PIECE || offersEncoding || typeof client[verb] !== "function") {
    return send(request);
  }
  let test = client[verb](url.pathname + url.search)
    .unset("Accept-Encoding") // superagent offers gzip unless told not to; the checks say what they offer
    .serialize((bytes) => bytes) // the body's bytes as they are, whatever its Content-Type says
    .ok(() => true)
    .timeout(options.timeoutMs ?? 30_000)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    });
  for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
  if (body) test = test.send(body);
  // superagent calls no parser for a response without a body (HEAD, 204): its body is then {}.
  return test.then((res) => responseOf(res.status, flat(res.headers), Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0)));
};
