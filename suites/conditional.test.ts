// Optional profile `conditional` (RFC 9110 §13): an ETag on GET /api/users/{id}; If-None-Match with
// it gives 304; If-Match with a stale tag on PUT, PATCH or DELETE gives 412, which is what stops
// a lost update: of two clients that read one ETag, only the first write wins.
import { section } from "../harness/check/check.js";
import { assert, expectEqual, expectHeader, expectProblem, expectStatus } from "../harness/check/expect.js";
import { bodyOf, type Api } from "../harness/client/http.js";
import { createUser, type User } from "../harness/check/users.js";

const { check } = section("Optional profiles");
const profile = "conditional";

/** RFC 9110 §8.8.3: entity-tag = [ W/ ] DQUOTE *etagc DQUOTE. */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

async function read(api: Api, id: number) {
  const res = await api.get(`/api/users/${id}`);
  expectStatus(res, 200);
  return { user: bodyOf(res, "User"), etag: expectHeader(res, "ETag") };
}

/** A user, and an ETag it had before a PATCH changed it. */
async function staleTag(api: Api) {
  const created = await createUser(api);
  const { etag } = await read(api, created.id);
  const patched = await api.patch(`/api/users/${created.id}`, { name: "Changed Since" });
  expectStatus(patched, 200);
  return { user: bodyOf(patched, "User"), stale: etag };
}

check({ id: "COND-01", level: "MUST", profile, title: "MUST send an ETag with GET /api/users/{id}" }, async ({ api }) => {
  const { etag } = await read(api, (await createUser(api)).id);
  assert(ENTITY_TAG.test(etag), `ETag ${JSON.stringify(etag)} is not an entity-tag ("..." or W/"...")`);
});

check(
  { id: "COND-02", level: "MUST", profile, title: "MUST answer 304 without a body to GET /api/users/{id} with If-None-Match carrying its ETag" },
  async ({ api }) => {
    const { user, etag } = await read(api, (await createUser(api)).id);
    const res = await api.get(`/api/users/${user.id}`, { headers: { "if-none-match": etag } });
    expectStatus(res, 304);
    expectEqual(res.body.length, 0, "length of the 304 body");
  },
);

check(
  { id: "COND-03", level: "MUST", profile, title: "MUST answer 200 with the user to If-None-Match carrying an ETag from before a change" },
  async ({ api }) => {
    const { user, stale } = await staleTag(api);
    const res = await api.get(`/api/users/${user.id}`, { headers: { "if-none-match": stale } });
    expectStatus(res, 200);
    expectEqual(bodyOf(res, "User"), user, "user");
  },
);

for (const [id, method, send] of [
  ["COND-04", "PUT", (api: Api, u: User, o: object) => api.put(`/api/users/${u.id}`, { name: "Lost Update", email: u.email }, o)],
  ["COND-05", "PATCH", (api: Api, u: User, o: object) => api.patch(`/api/users/${u.id}`, { name: "Lost Update" }, o)],
  ["COND-06", "DELETE", (api: Api, u: User, o: object) => api.delete(`/api/users/${u.id}`, o)],
] as const) {
  check(
    { id, level: "MUST", profile, title: `MUST answer 412 to ${method} with If-Match carrying a stale ETag, and leave the user as it was` },
    async ({ api }) => {
      const { user, stale } = await staleTag(api);
      expectProblem(await send(api, user, { headers: { "if-match": stale } }), 412);
      expectEqual((await read(api, user.id)).user, user, "the user after the 412");
    },
  );
}

const write = (api: Api, user: User, etag: string, by: string) =>
  api.put(`/api/users/${user.id}`, { name: `Written by ${by}`, email: user.email }, { headers: { "if-match": etag } });

check(
  { id: "COND-07", level: "MUST", profile, title: "MUST take the first of two writes made with one ETag (If-Match) and answer 412 to the second" },
  async ({ api }) => {
    const created = await createUser(api);
    const [a, b] = [await read(api, created.id), await read(api, created.id)];
    expectStatus(await write(api, a.user, a.etag, "A"), 200);
    expectProblem(await write(api, b.user, b.etag, "B"), 412);
    expectEqual((await read(api, created.id)).user.name, "Written by A", "name after both writes");
  },
);

check(
  { id: "COND-08", level: "MUST", profile, title: "MUST give exactly one 200 and one 412 to two concurrent PUTs with If-Match carrying one ETag" },
  async ({ api }) => {
    const { user, etag } = await read(api, (await createUser(api)).id);
    const both = await Promise.all([write(api, user, etag, "A"), write(api, user, etag, "B")]);
    expectEqual(
      both
        .map((r) => r.status)
        .sort()
        .join(", "),
      "200, 412",
      "sorted statuses",
    );
  },
);
