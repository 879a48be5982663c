// Optional profile `cors`: a preflight OPTIONS with Origin and Access-Control-Request-Method answers
// 2xx with Access-Control-Allow-Origin and Access-Control-Allow-Methods; a plain request with Origin
// gets Access-Control-Allow-Origin, error answers included (without it a browser hides a 4xx's
// problem from the script and reports a CORS error instead). Both headers as the Fetch standard's
// CORS check reads them.
import { section } from "../harness/check/check.js";
import { assert, expectHeader, expectStatus, fail } from "../harness/check/expect.js";
import { TRIGGERS, type Trigger } from "../harness/check/error-triggers.js";
import type { ApiResponse } from "../harness/client/http.js";
import { createUser, uniqueEmail } from "../harness/check/users.js";

const { check } = section("Optional profiles");
const profile = "cors";

const ORIGIN = "https://app.crud-conformance.test";

/** Access-Control-Allow-Origin must be `*` or the request's origin, byte for byte. */
function expectAllowOrigin(res: ApiResponse) {
  const value = expectHeader(res, "Access-Control-Allow-Origin");
  assert(value === "*" || value === ORIGIN, `Access-Control-Allow-Origin is ${JSON.stringify(value)}, expected "*" or ${JSON.stringify(ORIGIN)}`);
}

const preflight = (method: string) => ({ headers: { origin: ORIGIN, "access-control-request-method": method } });

for (const [id, method, where] of [
  ["CORS-01", "POST", "/api/users"],
  ["CORS-02", "DELETE", "/api/users/{id}"],
] as const) {
  check(
    {
      id,
      level: "MUST",
      profile,
      title: `MUST answer a preflight OPTIONS ${where} for ${method} with 2xx, Access-Control-Allow-Origin and -Methods naming ${method}`,
    },
    async ({ api }) => {
      const path = where.replace("{id}", String((await createUser(api)).id));
      const res = await api.request("OPTIONS", path, preflight(method));
      if (res.status < 200 || res.status > 299) fail(`status ${res.status}, expected 2xx`);
      expectAllowOrigin(res);
      const methods = expectHeader(res, "Access-Control-Allow-Methods")
        .split(",")
        .map((m) => m.trim());
      assert(
        methods.includes(method) || methods.includes("*"),
        `Access-Control-Allow-Methods ${JSON.stringify(res.headers["access-control-allow-methods"])} does not name ${method}`,
      );
    },
  );
}

check({ id: "CORS-03", level: "MUST", profile, title: "MUST send Access-Control-Allow-Origin on GET /api/users with Origin" }, async ({ api }) => {
  expectAllowOrigin(await api.get("/api/users", { headers: { origin: ORIGIN } }));
});

check({ id: "CORS-04", level: "MUST", profile, title: "MUST send Access-Control-Allow-Origin on POST /api/users with Origin" }, async ({ api }) => {
  const res = await api.post("/api/users", { name: "Cross Origin", email: uniqueEmail() }, { headers: { origin: ORIGIN } });
  expectAllowOrigin(res);
});

/**
 * Error answers, each from a place in a server where the CORS layer can be left out: the router's
 * fallback (404, 405), the body checks before the handler (415, and a 413 that a body limit
 * answers for a declared Content-Length before the body is read), the handler's own errors (422,
 * 409), the path extractor (400).
 */
const errors: [id: string, trigger: Trigger][] = [
  ["CORS-05", TRIGGERS.unknownPath],
  ["CORS-06", TRIGGERS.wrongMethod],
  ["CORS-07", TRIGGERS.mediaType],
  ["CORS-08", TRIGGERS.rulesBroken],
  ["CORS-09", TRIGGERS.emailTaken],
  ["CORS-10", TRIGGERS.tooLarge],
  ["CORS-11", TRIGGERS.malformedId],
];

for (const [id, { status, what, send }] of errors) {
  check({ id, level: "MUST", profile, title: `MUST send Access-Control-Allow-Origin on the ${status} for ${what}, with Origin` }, async ({ api }) => {
    const res = await send(api, { origin: ORIGIN });
    expectStatus(res, status);
    expectAllowOrigin(res);
  });
}
