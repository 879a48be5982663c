// Errors: every 4xx is an RFC 9457 problem (application/problem+json with type, title and status).
import { section } from "../harness/check.js";
import { assert, expectProblem } from "../harness/expect.js";
import type { Api, ApiResponse } from "../harness/http.js";
import { createUser, uniqueEmail } from "../harness/users.js";

const { check } = section("Errors");

const json = { "content-type": "application/json" };

/** One request per error status the contract names, each with a single fault. */
const triggers: [id: string, status: number, what: string, send: (api: Api) => Promise<ApiResponse>][] = [
  ["ERR-01", 400, "a malformed id", (api) => api.get("/api/users/abc")],
  ["ERR-02", 400, "a malformed query value", (api) => api.get("/api/users?page=x")],
  ["ERR-03", 400, "malformed JSON", (api) => api.request("POST", "/api/users", { body: "{", headers: json })],
  ["ERR-04", 404, "a missing user", (api) => api.get("/api/users/9223372036854775807")],
  ["ERR-05", 404, "an unknown path", (api) => api.get("/no/such/path")],
  ["ERR-06", 405, "a method the path does not allow", (api) => api.request("DELETE", "/api/users")],
  ["ERR-07", 409, "an email another user holds", async (api) => api.post("/api/users", { name: "Twin", email: (await createUser(api)).email })],
  ["ERR-08", 413, "a body over 1 MiB", (api) => api.request("POST", "/api/users", { body: `"${"x".repeat(1_048_576)}"`, headers: json })],
  ["ERR-09", 415, "an unsupported Content-Type", (api) => api.request("POST", "/api/users", { body: "{}", headers: { "content-type": "text/plain" } })],
  ["ERR-10", 422, "a body that breaks the rules", (api) => api.post("/api/users", { name: "", email: uniqueEmail() })],
];

for (const [id, status, what, send] of triggers) {
  check({ id, level: "MUST", title: `MUST answer ${what} with a ${status} problem+json carrying type, title and status` }, async ({ api }) => {
    expectProblem(await send(api), status);
  });
}

check({ id: "ERR-20", level: "SHOULD", profile: "recommended", title: "SHOULD include a detail string in every problem" }, async ({ api }) => {
  for (const [, status, what, send] of triggers) {
    const problem = expectProblem(await send(api), status);
    assert(typeof problem.detail === "string" && problem.detail.length > 0, `the ${status} for ${what} has no detail`);
  }
});

/** Stack traces, source paths and panic text of common runtimes. */
const INTERNALS = /panicked at|stack backtrace|goroutine \d+|Traceback \(most recent|\bat [\w.$<>]+ \(|\.rs:\d+|\.go:\d+|\/src\/|\/home\/|\/usr\/src\/|Exception in thread/;

check({ id: "ERR-21", level: "SHOULD", profile: "recommended", title: "SHOULD NOT leak stack traces, source paths or panic text in error bodies" }, async ({ api }) => {
  const probes: ((api: Api) => Promise<ApiResponse>)[] = [
    ...triggers.map(([, , , send]) => send),
    (api) => api.request("POST", "/api/users", { body: "\u0000\u0001{[", headers: json }),
    (api) => api.get(`/api/users/${"9".repeat(400)}`),
    (api) => api.request("PATCH", "/api/users/1", { body: '{"name":{"$gt":""}}', headers: { "content-type": "application/merge-patch+json" } }),
  ];
  for (const send of probes) {
    const res = await send(api);
    const leak = INTERNALS.exec(res.text);
    assert(!leak, `the ${res.status} body contains ${JSON.stringify(leak?.[0])}`);
  }
});
