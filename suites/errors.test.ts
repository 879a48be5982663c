// Errors: every 4xx is an RFC 9457 problem (application/problem+json with type, title and status).
import { section } from "../harness/check/check.js";
import { assert, expectProblem } from "../harness/check/expect.js";
import type { Api, ApiResponse } from "../harness/client/http.js";
import { TRIGGERS, type Trigger } from "../harness/check/error-triggers.js";

const { check } = section("Errors");

const json = { "content-type": "application/json" };

/** One request per error status the contract names, each with a single fault (harness/check/error-triggers.ts). */
const triggers: [id: string, trigger: Trigger][] = [
  ["ERR-01", TRIGGERS.malformedId],
  ["ERR-02", TRIGGERS.malformedQuery],
  ["ERR-03", TRIGGERS.malformedJson],
  ["ERR-04", TRIGGERS.missingUser],
  ["ERR-05", TRIGGERS.unknownPath],
  ["ERR-06", TRIGGERS.wrongMethod],
  ["ERR-07", TRIGGERS.emailTaken],
  ["ERR-08", TRIGGERS.tooLarge],
  ["ERR-09", TRIGGERS.mediaType],
  ["ERR-10", TRIGGERS.rulesBroken],
];

for (const [id, { status, what, send }] of triggers) {
  check({ id, level: "MUST", title: `MUST answer ${what} with a ${status} problem+json carrying type, title and status` }, async ({ api }) => {
    expectProblem(await send(api), status);
  });
}

check({ id: "ERR-20", level: "SHOULD", profile: "recommended", title: "SHOULD include a detail string in every problem" }, async ({ api }) => {
  for (const [, { status, what, send }] of triggers) {
    const problem = expectProblem(await send(api), status);
    assert(typeof problem.detail === "string" && problem.detail.length > 0, `the ${status} for ${what} has no detail`);
  }
});

/** Stack traces, source paths and panic text of common runtimes. */
const INTERNALS =
  /panicked at|stack backtrace|goroutine \d+|Traceback \(most recent|\bat [\w.$<>]+ \(|\.rs:\d+|\.go:\d+|\/src\/|\/home\/|\/usr\/src\/|Exception in thread/;

check(
  { id: "ERR-21", level: "SHOULD", profile: "recommended", title: "SHOULD NOT leak stack traces, source paths or panic text in error bodies" },
  async ({ api }) => {
    const probes: ((api: Api) => Promise<ApiResponse>)[] = [
      ...triggers.map(([, { send }]) => send),
      (api) => api.request("POST", "/api/users", { body: "\u0000\u0001{[", headers: json }),
      (api) => api.get(`/api/users/${"9".repeat(400)}`),
      (api) => api.request("PATCH", "/api/users/1", { body: '{"name":{"$gt":""}}', headers: { "content-type": "application/merge-patch+json" } }),
    ];
    for (const send of probes) {
      const res = await send(api);
      const leak = INTERNALS.exec(res.text);
      assert(!leak, `the ${res.status} body contains ${JSON.stringify(leak?.[0])}`);
    }
  },
);
