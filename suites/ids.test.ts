// Ids in paths: what is looked up (404 when absent) and what is malformed (400).
import fc from "fast-check";
import { section } from "../harness/check/check.js";
import { expectEqual, expectStatus } from "../harness/check/expect.js";
import { bodyOf } from "../harness/client/http.js";
import { createUser, uniqueEmail } from "../harness/check/users.js";
import table from "../fixtures/ids.json" with { type: "json" };

const { check } = section("Ids in paths");

check({ id: "ID-01", level: "MUST", title: "MUST answer 404 for id 0" }, async ({ api }) => {
  expectStatus(await api.get("/api/users/0"), 404);
});

check({ id: "ID-02", level: "MUST", title: "MUST answer 404 for the largest 64-bit id when no such user exists" }, async ({ api }) => {
  expectStatus(await api.get("/api/users/9223372036854775807"), 404);
});

check({ id: "ID-03", level: "MUST", title: "MUST look up an id written with leading zeros" }, async ({ api }) => {
  const user = await createUser(api);
  const res = await api.get(`/api/users/000${user.id}`);
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "User").id, user.id, "id");
});

for (const c of table.invalid) {
  check({ id: c.id, level: "MUST", title: `MUST answer 400 for ${c.why} as an id (${decodeURIComponent(c.value)})` }, async ({ api }) => {
    expectStatus(await api.get(`/api/users/${c.value}`), 400);
  });
}

// RFC 3986 §2.2: an escaped slash is data inside the segment, so the id is malformed. A router that
// decodes it before routing answers 404, which misses only this SHOULD.
for (const c of table.encodedSlash) {
  check(
    { id: c.id, level: "SHOULD", profile: "recommended", title: `SHOULD answer 400 for an id holding an escaped slash ${c.why} (${c.value})` },
    async ({ api }) => {
      expectStatus(await api.get(`/api/users/${c.value}`), 400);
    },
  );
}

const bodies = { PUT: { name: "Nobody", email: uniqueEmail() }, PATCH: { name: "Nobody" }, DELETE: undefined };
for (const [id, method] of [
  ["ID-30", "PUT"],
  ["ID-31", "PATCH"],
  ["ID-32", "DELETE"],
] as const) {
  check({ id, level: "MUST", title: `MUST answer 400 for a malformed id on ${method}` }, async ({ api }) => {
    expectStatus(await api.request(method, "/api/users/abc", { json: bodies[method] }), 400);
  });
}

/** Printable ASCII but "/": an escaped slash has its own rule and checks (ID-50 to ID-52). */
const idChar = fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== "/"));

check(
  { id: "ID-40", level: "MUST", title: 'MUST answer 400 for any printable-ASCII id without "/" that is not decimal digits (property, 40 runs)' },
  async ({ api }) => {
    // "." and ".." are dot segments, which the client's URL resolution removes before sending.
    const segment = fc.string({ unit: idChar, minLength: 1, maxLength: 12 }).filter((s) => !/^[0-9]+$/.test(s) && s !== "." && s !== "..");
    await fc.assert(
      fc.asyncProperty(segment, async (s) => {
        expectStatus(await api.get(`/api/users/${encodeURIComponent(s)}`), 400);
      }),
      { numRuns: 40, seed: 20261124, endOnFailure: true },
    );
  },
);
