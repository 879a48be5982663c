// The response validator names which of the three ways a response breaks the spec.
import { expect, test } from "vitest";
import { validateResponse, matchPath } from "../../harness/client/validate.js";

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

const problemJson = { "content-type": "application/problem+json" };
const problem = (status: number, title = "x") => json({ type: "about:blank", title, status });
test("a problem's status must be the response's", () => {
  const v = validateResponse({ method: "GET", path: "/api/users/0", status: 404, headers: problemJson, body: problem(400) });
  expect(v?.kind).toBe("schema violation");
  expect(v?.message).toContain("body/status must be equal to constant");
});
test("a method the API implements nowhere: never a 2xx; 405 with Allow, 501, or any other problem", () => {
  for (const method of ["QUERY", "PROPFIND", "FROBNICATE"]) {
    expect(validateResponse({ method, path: "/api/users", status: 200, headers: { "content-type": "application/json" }, body: json({}) })?.kind).toBe(
      "undocumented status",
    );
    expect(validateResponse({ method, path: "/api/users/1", status: 501, headers: problemJson, body: problem(501) })).toBeUndefined();
    expect(validateResponse({ method, path: "/health", status: 405, headers: { ...problemJson, allow: "GET, HEAD" }, body: problem(405) })).toBeUndefined();
    expect(validateResponse({ method, path: "/health", status: 400, headers: problemJson, body: problem(400) })).toBeUndefined();
  }
  expect(validateResponse({ method: "QUERY", path: "/health", status: 405, headers: problemJson, body: problem(405) })?.message).toContain(
    "required header Allow missing",
  );
  expect(validateResponse({ method: "QUERY", path: "/health", status: 400, headers: { "content-type": "text/plain" }, body: Buffer.from("no") })?.kind).toBe(
    "wrong media type",
  );
  expect(validateResponse({ method: "QUERY", path: "/health", status: 501, headers: problemJson, body: problem(400) })?.kind).toBe("schema violation");
});
test("a user's name counts code points and the contract's whitespace", () => {
  const astral = "\u{1F600}";
  expect(validateResponse({ ...ok, body: json({ ...user, name: astral.repeat(100) }) })).toBeUndefined();
  expect(validateResponse({ ...ok, body: json({ ...user, name: astral.repeat(101) }) })?.message).toContain("must NOT have more than 100 characters");
  expect(validateResponse({ ...ok, body: json({ ...user, name: "\uFEFF" }) })).toBeUndefined(); // not White_Space
  expect(validateResponse({ ...ok, body: json({ ...user, name: "\u0085" }) })?.message).toContain("must match pattern");
});
