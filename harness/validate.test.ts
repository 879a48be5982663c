// The response validator names which of the three ways a response breaks the spec.
import { expect, test } from "vitest";
import { validateResponse, matchPath } from "./validate.js";

const user = { id: 1, name: "Ada", email: "ada@example.com", created_at: "2026-11-23T12:00:00Z", updated_at: "2026-11-23T12:00:00Z" };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const ok = { method: "GET", path: "/api/users/1", status: 200, headers: { "content-type": "application/json" }, body: json(user) };

test("paths match their templates; an empty segment does not", () => {
  expect(matchPath("/api/users/abc")).toBe("/api/users/{id}");
  expect(matchPath("/api/users/")).toBeUndefined();
});
test("a conforming response passes", () => expect(validateResponse(ok)).toBeUndefined());
test("an undocumented status", () => expect(validateResponse({ ...ok, status: 500 })?.kind).toBe("undocumented status"));
test("a wrong media type", () => expect(validateResponse({ ...ok, headers: { "content-type": "text/plain" } })?.kind).toBe("wrong media type"));
test("a schema violation names the member", () => {
  const v = validateResponse({ ...ok, body: json({ ...user, extra: 1 }) });
  expect(v?.kind).toBe("schema violation");
  expect(v?.message).toContain("additional properties");
});
test("a missing required header", () => {
  const v = validateResponse({ method: "POST", path: "/api/users", status: 201, headers: { "content-type": "application/json" }, body: json(user) });
  expect(v?.message).toContain("required header Location missing");
});
test("unknown paths may only answer 404, unlisted methods only 405", () => {
  expect(validateResponse({ ...ok, path: "/nope", status: 200 })?.kind).toBe("undocumented status");
  const problem = { "content-type": "application/problem+json", allow: "GET, HEAD, POST" };
  const body = json({ type: "about:blank", title: "Method Not Allowed", status: 405 });
  expect(validateResponse({ method: "DELETE", path: "/api/users", status: 405, headers: problem, body })).toBeUndefined();
});
test("HEAD responses have no body to validate", () => {
  expect(validateResponse({ method: "HEAD", path: "/api/users/1", status: 404, headers: {}, body: Buffer.alloc(0) })).toBeUndefined();
});
