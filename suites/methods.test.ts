// Endpoints: 405 with Allow, HEAD on every GET route, and 404 for any other path.
import { section } from "../harness/check.js";
import { allowed, expectEqual, expectStatus, fail } from "../harness/expect.js";
import type { Api, ApiResponse } from "../harness/http.js";
import { createUser, whileQuiet } from "../harness/users.js";

const { check } = section("Endpoints");

const COLLECTION = ["GET", "HEAD", "POST"];
const ITEM = ["GET", "HEAD", "PUT", "PATCH", "DELETE"];

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

/** A GET, the HEAD, and a GET again, until the two GETs agree: the state HEAD saw is GET's. */
const getAndHead = (api: Api, path: string) =>
  whileQuiet(async () => {
    const [get, head, again] = [await api.get(path), await api.head(path), await api.get(path)];
    const same = get.status === again.status && COMPARED.every((name) => get.headers[name] === again.headers[name]);
    return same ? { get, head } : undefined;
  });

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
