// The users API as an Express application. createApp() returns the app, a Node request listener:
// server.ts serves it (listening, TLS, signals, shutdown); a test may hand it to supertest.
import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import compression from "compression";
import cors from "cors";
import express, { type Request, type RequestHandler, type Response } from "express";
import { errorHandler, HttpError, methodNotAllowed, notFound, sendProblem } from "./problem.js";
import { Store, validate, type User } from "./users.js";

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

/** `^-?[0-9]+$` (or `^[0-9]+$`) within signed 64 bits; BigInt() alone would also take "0x1" or " 1". */
function parseI64(s: string, signed: boolean): bigint | undefined {
  if (!(signed ? /^-?[0-9]+$/ : /^[0-9]+$/).test(s)) return undefined;
  const n = BigInt(s);
  return n >= I64_MIN && n <= I64_MAX ? n : undefined;
}

const clamp = (n: bigint, lo: bigint, hi: bigint) => (n < lo ? lo : n > hi ? hi : n);

/** A query parameter as an integer, clamped; a repeated one takes its last value. */
function queryInt(req: Request, name: string, fallback: bigint, lo: bigint, hi: bigint): bigint {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = Array.isArray(raw) ? raw.at(-1) : raw;
  const n = typeof value === "string" ? parseI64(value, true) : undefined;
  if (n === undefined) throw new HttpError(400, `${name} must be a base-10 integer within 64 bits`);
  return clamp(n, lo, hi);
}

const BAD_ID = "the user id must be a non-negative base-10 integer within 64 bits";

/** X-Request-Id values echoed as sent: 1 to 128 visible ASCII characters. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** RFC 9110 §13.1.1: If-Match compares strongly; "*" matches any current representation. */
function ifMatchHolds(header: string, etag: string): boolean {
  return header
    .split(",")
    .map((t) => t.trim())
    .some((t) => t === "*" || (t === etag && !t.startsWith("W/")));
}

export function createApp(store = new Store()): express.Express {
  const app = express();
  // Before the first route: the router is made with these. Express matches /API/USERS and
  // /api/users/ against /api/users unless told otherwise.
  app.set("case sensitive routing", true);
  app.set("strict routing", true);
  app.set("etag", "strong"); // If-Match compares strongly; Express's default ETags are weak
  app.disable("x-powered-by");

  app.use((req, res, next) => {
    const sent = req.get("X-Request-Id");
    res.set("X-Request-Id", sent !== undefined && REQUEST_ID.test(sent) ? sent : randomUUID());
    next();
  });
  // Answers preflights itself (204); the API takes no credentials, so any origin may read it.
  app.use(cors({ exposedHeaders: ["Location", "Link", "X-Total-Count", "X-Request-Id", "ETag"] }));
  app.use(compression()); // gzip over 1 KiB, for clients that accept it

  /** The ETag Express gives a user's 200, computed the way res.json → res.send computes it. */
  const etagOf = (user: User): string => app.get("etag fn")(JSON.stringify(user), "utf8");

  /** :id as a user: 400 when malformed, 404 when absent; 412 when If-Match does not hold. */
  const findUser = (req: Request<{ id: string }>): User => {
    const id = parseI64(req.params.id, false);
    if (id === undefined) throw new HttpError(400, BAD_ID);
    const user = id <= BigInt(Number.MAX_SAFE_INTEGER) ? store.get(Number(id)) : undefined;
    if (!user) throw new HttpError(404, `user ${id} does not exist`);
    const ifMatch = req.get("If-Match");
    if (ifMatch !== undefined && req.method !== "GET" && req.method !== "HEAD") {
      const etag = etagOf(user);
      if (!ifMatchHolds(ifMatch, etag)) throw new HttpError(412, `If-Match does not hold the user's current ETag, ${etag}: read the user again`);
    }
    return user;
  };

  /**
   * Content-Type first (415): express.json() skips any other type and leaves req.body undefined.
   * req.is() is null for a request without a body, which the parser's check then answers (400).
   */
  const mediaType =
    (...types: string[]): RequestHandler =>
    (req, res, next) => {
      if (req.get("Content-Type") === undefined || req.is(types) === false) {
        return sendProblem(res, 415, `the body must be ${types.join(" or ")}`);
      }
      next();
    };

  const json = express.json({
    limit: "1mb", // 1,048,576 bytes; Content-Length and chunked bodies alike
    // Any JSON value: the default (strict) answers 400 to a top-level string, number or null,
    // which is well-formed JSON that breaks the rules (422).
    strict: false,
    type: ["application/json", "application/merge-patch+json"],
    // body-parser parses an empty body as {} and replaces invalid UTF-8 with U+FFFD: both are
    // malformed JSON here (400).
    verify: (_req, _res, buf) => {
      if (buf.length === 0) throw Object.assign(new Error("the body is empty"), { status: 400 });
      if (!isUtf8(buf)) throw Object.assign(new Error("the body is not UTF-8"), { status: 400 });
    },
  });

  /** The parsed body, validated; `full` for POST and PUT. */
  const readInput = (req: Request, full: boolean) => {
    if (req.body === undefined) throw new HttpError(400, "the body is empty"); // no body at all
    const { input, errors } = validate(req.body, full);
    if (errors.length) {
      throw new HttpError(422, errors.map((e) => (e.pointer ? `${e.pointer.slice(1)} ${e.detail}` : e.detail)).join("; "), errors);
    }
    return input;
  };

  const conflict = () => new HttpError(409, "email is already in use");

  app.get("/health", (req, res) => {
    res.json({ status: "ok" });
  });
  app.all("/health", methodNotAllowed("GET, HEAD"));

  app
    .route("/api/users")
    .get((req, res) => {
      const page = queryInt(req, "page", 1n, 1n, I64_MAX);
      const perPage = queryInt(req, "per_page", 20n, 1n, 100n);
      const total = BigInt(store.size);
      const last = total === 0n ? 1n : (total + perPage - 1n) / perPage;
      const data = page <= last ? store.page(Number((page - 1n) * perPage), Number(perPage)) : [];
      const link = (p: bigint, rel: string) => `</api/users?page=${p}&per_page=${perPage}>; rel="${rel}"`;
      const links = [link(1n, "first")];
      if (page > 1n) links.push(link(page - 1n, "prev"));
      if (page < last) links.push(link(page + 1n, "next"));
      links.push(link(last, "last"));
      res.set({ Link: links.join(", "), "X-Total-Count": String(total) });
      // Written by hand: page may exceed 2^53, which a JS number (and so res.json) cannot hold.
      res.type("application/json").send(`{"data":${JSON.stringify(data)},"page":${page},"per_page":${perPage},"total":${total}}`);
    })
    .post(mediaType("application/json"), json, (req, res) => {
      const { name, email } = readInput(req, true);
      const user = store.create(name!, email!);
      if (user === "conflict") throw conflict();
      res.status(201).location(`/api/users/${user.id}`).json(user);
    })
    .all(methodNotAllowed("GET, HEAD, POST"));

  const update = (full: boolean) => (req: Request<{ id: string }>, res: Response) => {
    // The body is judged before the user is looked up and If-Match evaluated, as the other
    // implementations do: a request with two faults gets the body's 400 or 422 first.
    if (parseI64(req.params.id, false) === undefined) throw new HttpError(400, BAD_ID);
    const input = readInput(req, full);
    const updated = store.update(findUser(req), input);
    if (updated === "conflict") throw conflict();
    res.json(updated);
  };

  app
    .route("/api/users/:id")
    .get((req, res) => {
      res.json(findUser(req)); // res.send sets the ETag and answers 304 to a matching If-None-Match
    })
    .put(mediaType("application/json"), json, update(true))
    .patch(mediaType("application/json", "application/merge-patch+json"), json, update(false))
    .delete((req, res) => {
      store.delete(findUser(req));
      res.status(204).end();
    })
    .all(methodNotAllowed("GET, HEAD, PUT, PATCH, DELETE"));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
