// Endpoints: 405 with Allow, HEAD on every GET route, 404 for any other path, and no 2xx for a
// method the server does not implement.
import { section } from "../harness/check/check.js";
import { allowed, assert, expectEqual, expectProblem, expectStatus, fail } from "../harness/check/expect.js";
import type { Api, ApiResponse } from "../harness/client/http.js";
import { createUser, whileQuiet } from "../harness/check/users.js";

const { check } = section("Endpoints");

const COLLECTION = ["GET", "HEAD", "POST"];
const ITEM = ["GET", "HEAD", "PUT", "PATCH", "DELETE"];
const HEALTH = ["GET", "HEAD"];

const notAllowed = [
  ["MTH-01", "PUT", "/api/users"],
  ["MTH-02", "PATCH", "/api/users"],
  ["MTH-03", "DELETE", "/api/users"],
  ["MTH-04", "POST", "/api/users/1"],
] as const;

for (const [id, method, path] of notAllowed) {
  check({ id, level: "MUST", title: `MUST answer 405 to ${method} ${path}` }, async ({ api }) => {
    await createUser(api); // so that /api/users/1 exists on a fresh server
    expectStatus(await api.request(method, path), 405);
  });
}

for (const [id, method, path, expected] of [
  ["MTH-05", "DELETE", "/api/users", COLLECTION],
  ["MTH-06", "POST", "/api/users/1", ITEM],
] as const) {
  check({ id, level: "MUST", title: `MUST name ${expected.join(", ")} in Allow on a 405 from ${path}` }, async ({ api }) => {
    const res = await api.request(method, path);
    expectStatus(res, 405);
    const names = allowed(res);
    const missing = expected.filter((m) => !names.has(m));
    if (missing.length) fail(`Allow "${res.headers.allow}" lacks ${missing.join(", ")}`);
  });
}

const COMPARED = ["content-type", "x-total-count", "link", "location"];

/** HEAD must give GET's status and headers, without a body. */
function sameAsGet(get: ApiResponse, head: ApiResponse) {
  expectEqual(head.status, get.status, "HEAD status (GET's)");
  for (const name of COMPARED) expectEqual(head.headers[name], get.headers[name], `HEAD ${name} header (GET's)`);
  expectEqual(head.body.length, 0, "HEAD body length");
}

const agree = (a: ApiResponse, b: ApiResponse) => a.status === b.status && COMPARED.every((name) => a.headers[name] === b.headers[name]);

/** A GET, the HEAD, and a GET again, until the two GETs agree: the state HEAD saw is GET's. */
const getAndHead = (api: Api, path: string) =>
  whileQuiet(
    async () => {
      const [get, head, again] = [await api.get(path), await api.head(path), await api.get(path)];
      return agree(get, again) ? { get, head } : undefined;
    },
    ({ get, head }) => agree(get, head),
  );

const heads = [
  ["MTH-10", "/health", "GET /health"],
  ["MTH-11", "/api/users?per_page=2", "GET /api/users"],
  ["MTH-12", "/api/users/{id}", "GET /api/users/{id}"],
  ["MTH-13", "/api/users/0", "a 404 from GET /api/users/{id}"],
  ["MTH-14", "/api/users/abc", "a 400 from GET /api/users/{id}"],
] as const;
for (const [id, path, what] of heads) {
  check({ id, level: "MUST", title: `MUST answer HEAD like ${what}, without a body` }, async ({ api }) => {
    const user = await createUser(api);
    const p = path.replace("{id}", String(user.id));
    const { get, head } = await getAndHead(api, p);
    sameAsGet(get, head);
  });
}

const unknown = [
  ["MTH-20", "/"],
  ["MTH-21", "/api"],
  ["MTH-22", "/api/users/"],
  ["MTH-23", "/api/users/1/extra"],
  ["MTH-24", "/api/userz"],
  ["MTH-25", "/API/USERS"],
] as const;
for (const [id, path] of unknown) {
  check({ id, level: "MUST", title: `MUST answer 404 for the unknown path ${path}` }, async ({ api }) => {
    await createUser(api);
    expectStatus(await api.get(path), 404);
  });
}

/**
 * Method tokens the server does not implement at all: an extension method (QUERY), a WebDAV one
 * (PROPFIND) and a made-up one. The spec cannot list them (OpenAPI 3.1 has a field per known
 * method), so these exchanges are recorded but not validated; the SHOULD checks assert the problem.
 */
const unimplemented = [
  ["MTH-30", "MTH-40", "QUERY", "/api/users", COLLECTION],
  ["MTH-31", "MTH-41", "QUERY", "/api/users/{id}", ITEM],
  ["MTH-32", "MTH-42", "QUERY", "/health", HEALTH],
  ["MTH-33", "MTH-43", "PROPFIND", "/api/users", COLLECTION],
  ["MTH-34", "MTH-44", "PROPFIND", "/api/users/{id}", ITEM],
  ["MTH-35", "MTH-45", "PROPFIND", "/health", HEALTH],
  ["MTH-36", "MTH-46", "FROBNICATE", "/api/users", COLLECTION],
  ["MTH-37", "MTH-47", "FROBNICATE", "/api/users/{id}", ITEM],
  ["MTH-38", "MTH-48", "FROBNICATE", "/health", HEALTH],
] as const;

/** {id} is a user that exists: a server that treats the method as GET would answer 200. */
async function sendUnimplemented(api: Api, method: string, path: string) {
  const target = path.includes("{id}") ? path.replace("{id}", String((await createUser(api)).id)) : path;
  return api.request(method, target, { validate: false });
}

for (const [mustId, shouldId, method, path, expected] of unimplemented) {
  check({ id: mustId, level: "MUST", title: `MUST NOT answer ${method} ${path}, a method it does not implement, with 2xx` }, async ({ api }) => {
    const res = await sendUnimplemented(api, method, path);
    assert(res.status < 200 || res.status > 299, `status ${res.status}, expected anything but 2xx`);
  });

  check(
    { id: shouldId, level: "SHOULD", profile: "recommended", title: `SHOULD answer ${method} ${path} with 405 and Allow, or 501, as a problem` },
    async ({ api }) => {
      const res = await sendUnimplemented(api, method, path);
      expectStatus(res, 405, 501);
      if (res.status === 405) {
        const missing = expected.filter((m) => !allowed(res).has(m));
        if (missing.length) fail(`Allow "${res.headers.allow}" lacks ${missing.join(", ")}`);
      }
      expectProblem(res, res.status);
    },
  );
}
