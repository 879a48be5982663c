// Optional profile `request-id`: X-Request-Id is echoed when the request has one and generated when
// it does not, a new one for each request; on every answer, errors included.
import { randomBytes } from "node:crypto";
import { section } from "../harness/check/check.js";
import { TRIGGERS, type Trigger } from "../harness/check/error-triggers.js";
import { assert, expectEqual, expectHeader, expectStatus } from "../harness/check/expect.js";

const { check } = section("Optional profiles");
const profile = "request-id";

const sentId = () => `crud-conformance-${randomBytes(8).toString("hex")}`;

check({ id: "RID-01", level: "MUST", profile, title: "MUST echo the X-Request-Id a request carries" }, async ({ api }) => {
  const id = sentId();
  const res = await api.get("/api/users", { headers: { "x-request-id": id } });
  expectStatus(res, 200);
  expectEqual(expectHeader(res, "X-Request-Id"), id, "X-Request-Id");
});

check({ id: "RID-02", level: "MUST", profile, title: "MUST generate an X-Request-Id for a request without one" }, async ({ api }) => {
  const res = await api.get("/api/users");
  expectStatus(res, 200);
  assert(expectHeader(res, "X-Request-Id").trim() !== "", "X-Request-Id is empty");
});

check({ id: "RID-03", level: "MUST", profile, title: "MUST generate a different X-Request-Id for each of 10 requests" }, async ({ api }) => {
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push(expectHeader(await api.get("/health"), "X-Request-Id"));
  expectEqual(new Set(ids).size, 10, `distinct ids among ${JSON.stringify(ids.slice(0, 3))}…`);
});

check({ id: "RID-04", level: "MUST", profile, title: "MUST echo X-Request-Id on an error response too (404)" }, async ({ api }) => {
  const id = sentId();
  const res = await api.get("/api/users/0", { headers: { "x-request-id": id } });
  expectStatus(res, 404);
  expectEqual(expectHeader(res, "X-Request-Id"), id, "X-Request-Id");
});

/**
 * Error answers beyond RID-04's, each from a place in a server where the request-id layer can be
 * left out: the router's fallback (404, 405), the body checks before the handler (415, and a 413
 * that a body limit answers for a declared Content-Length before the body is read), the handler's
 * own errors (422, 409), the path extractor (400). Each is tried with an id (echoed) and without
 * one (generated).
 */
const errors: [echoed: string, generated: string, trigger: Trigger][] = [
  ["RID-05", "RID-06", TRIGGERS.unknownPath],
  ["RID-07", "RID-08", TRIGGERS.wrongMethod],
  ["RID-09", "RID-10", TRIGGERS.mediaType],
  ["RID-11", "RID-12", TRIGGERS.rulesBroken],
  ["RID-13", "RID-14", TRIGGERS.emailTaken],
  ["RID-15", "RID-16", TRIGGERS.tooLarge],
  ["RID-17", "RID-18", TRIGGERS.malformedId],
];

for (const [echoed, generated, { status, what, send }] of errors) {
  check({ id: echoed, level: "MUST", profile, title: `MUST echo X-Request-Id on the ${status} for ${what}` }, async ({ api }) => {
    const id = sentId();
    const res = await send(api, { "x-request-id": id });
    expectStatus(res, status);
    expectEqual(expectHeader(res, "X-Request-Id"), id, "X-Request-Id");
  });

  check({ id: generated, level: "MUST", profile, title: `MUST generate an X-Request-Id on the ${status} for ${what}` }, async ({ api }) => {
    const res = await send(api);
    expectStatus(res, status);
    assert(expectHeader(res, "X-Request-Id").trim() !== "", `X-Request-Id on the ${status} is empty`);
  });
}
