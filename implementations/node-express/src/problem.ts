// RFC 9457 problem objects, and the error-handling middleware that turns every error into one.
import { STATUS_CODES } from "node:http";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";

/** One entry of a 422's `errors`: an RFC 6901 pointer into the request body. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** The reason phrase. Node's STATUS_CODES still has the pre-RFC 9110 names for 413 and 422. */
export function title(status: number): string {
  if (status === 413) return "Content Too Large";
  if (status === 422) return "Unprocessable Content";
  return STATUS_CODES[status] ?? "Error";
}

export function problemBody(status: number, detail: string, errors?: FieldError[]) {
  return { type: "about:blank", title: title(status), status, detail, ...(errors ? { errors } : {}) };
}

export function sendProblem(res: Response, status: number, detail: string, errors?: FieldError[]) {
  // res.json keeps a Content-Type set before it (and adds charset=utf-8).
  res.status(status).type("application/problem+json").json(problemBody(status, detail, errors));
}

/** The error that route handlers and middleware pass to next() for a 4xx. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

/** Every path the API does not define (Express's own 404 is an HTML page). */
export const notFound: RequestHandler = (req, res) => sendProblem(res, 404, `no resource at ${req.path}`);

/** Registered with .all() after a route's methods: a wrong method is 405 with Allow, not 404. */
export const methodNotAllowed =
  (allow: string): RequestHandler =>
  (req, res) => {
    res.set("Allow", allow);
    sendProblem(res, 405, `${req.method} is not allowed here; allowed: ${allow}`);
  };

/** What a body-parser error means, by its `type` (body-parser's documented error types). */
const BODY_ERRORS: Record<string, [number, string]> = {
  "entity.too.large": [413, "the body must not exceed 1048576 bytes"],
  "entity.parse.failed": [400, "the body is not well-formed JSON"],
  "entity.verify.failed": [400, "the body is not well-formed JSON"],
  "charset.unsupported": [415, "the body must be JSON in UTF-8"],
  "encoding.unsupported": [415, "the Content-Encoding is not supported"],
  "request.aborted": [400, "the request was aborted before its body arrived"],
  "request.size.invalid": [400, "the body's size does not match its Content-Length"],
};

/**
 * The last middleware. Express's default handler answers HTML, with the stack trace unless
 * NODE_ENV is production; this one answers problem+json and keeps internals in the log.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err); // Express's handler then closes the connection
  const e = (err ?? {}) as { status?: unknown; type?: unknown; message?: unknown };
  if (err instanceof HttpError) return sendProblem(res, err.status, err.detail, err.errors);
  const known = typeof e.type === "string" ? BODY_ERRORS[e.type] : undefined;
  if (known) return sendProblem(res, known[0], known[1]);
  // A malformed percent-encoding in a path parameter (router's decode_param) is a 400.
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500) return sendProblem(res, e.status, String(e.message ?? title(e.status)));
  console.error(`${req.method} ${req.originalUrl}:`, err);
  sendProblem(res, 500, "the server failed to handle the request");
};
