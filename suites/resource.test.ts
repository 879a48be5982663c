// The resource, the status codes of the CRUD endpoints, and a refused request that changes nothing.
import fc from "fast-check";
import { setTimeout as sleep } from "node:timers/promises";
import { section } from "../harness/check/check.js";
import { bodyOf, type Api } from "../harness/client/http.js";
import { assert, expectEqual, expectHeader, expectStatus } from "../harness/check/expect.js";
import { createUser, uniqueEmail, whileQuiet, type User } from "../harness/check/users.js";

const { check } = section("The resource");

/** The contract's whitespace is Unicode White_Space: JS `\s` adds U+FEFF, which is not in it. */
const hasNonWhiteSpace = (s: string) => /[^\s]|\uFEFF/u.test(s);

check({ id: "RES-01", level: "MUST", title: 'MUST answer GET /health with 200 and {"status":"ok"}', section: "The container" }, async ({ api }) => {
  const res = await api.get("/health");
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "Health"), { status: "ok" }, "body");
});

check({ id: "RES-02", level: "MUST", title: "MUST start with no users", section: "The container", requires: "fresh" }, async ({ api }) => {
  const res = await api.get("/api/users");
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "UserPage").total, 0, "total");
});

check({ id: "RES-03", level: "MUST", title: "MUST answer POST /api/users with 201 and the new user" }, async ({ api }) => {
  const email = uniqueEmail();
  const res = await api.post("/api/users", { name: "Ada Lovelace", email });
  expectStatus(res, 201);
  const user = bodyOf(res, "User");
  expectEqual(user.name, "Ada Lovelace", "name");
  expectEqual(user.email, email, "email");
});

check({ id: "RES-04", level: "MUST", title: "MUST send Location: /api/users/{id} with a 201" }, async ({ api }) => {
  const res = await api.post("/api/users", { name: "Ada", email: uniqueEmail() });
  expectStatus(res, 201);
  const location = new URL(expectHeader(res, "Location"), api.baseUrl).pathname;
  expectEqual(location, `/api/users/${bodyOf(res, "User").id}`, "Location path");
});

check({ id: "RES-05", level: "MUST", title: "MUST set updated_at equal to created_at on create" }, async ({ api }) => {
  const user = await createUser(api);
  expectEqual(Date.parse(user.updated_at), Date.parse(user.created_at), "updated_at (ms) vs created_at");
});

check({ id: "RES-06", level: "MUST", title: "MUST store name and email exactly as sent" }, async ({ api }) => {
  const sent = { name: "  Zoë 🚀 O'Brien  ", email: `Mixed.Case+${uniqueEmail("tag")}`.replace("example.com", "Example.COM") };
  const created = await createUser(api, sent);
  const res = await api.get(`/api/users/${created.id}`);
  expectStatus(res, 200);
  const stored = bodyOf(res, "User");
  expectEqual({ name: stored.name, email: stored.email }, sent, "stored name and email");
});

check({ id: "RES-07", level: "MUST", title: "MUST answer GET /api/users/{id} with 200 and the user" }, async ({ api }) => {
  const created = await createUser(api);
  const res = await api.get(`/api/users/${created.id}`);
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "User"), created, "user");
});

check({ id: "RES-08", level: "MUST", title: "MUST answer PUT with 200 and the replaced user, keeping id and created_at" }, async ({ api }) => {
  const created = await createUser(api);
  const email = uniqueEmail();
  const res = await api.put(`/api/users/${created.id}`, { name: "Grace Hopper", email });
  expectStatus(res, 200);
  const replaced = bodyOf(res, "User");
  expectEqual(
    [replaced.id, replaced.name, replaced.email, replaced.created_at],
    [created.id, "Grace Hopper", email, created.created_at],
    "[id, name, email, created_at]",
  );
});

async function refreshes(method: "put" | "patch", api: Api) {
  const created = await createUser(api);
  await sleep(1100); // timestamps may have one-second precision
  const body = method === "put" ? { name: "Later", email: created.email } : {};
  const res = await api[method](`/api/users/${created.id}`, body);
  expectStatus(res, 200);
  const user = bodyOf(res, "User");
  const [before, after] = [Date.parse(created.updated_at), Date.parse(user.updated_at)];
  assert(after > before, `updated_at ${user.updated_at} is not later than ${created.updated_at} after a ${method.toUpperCase()} 1.1 s later`);
  expectEqual(user.created_at, created.created_at, "created_at");
}

check({ id: "RES-09", level: "MUST", title: "MUST refresh updated_at on PUT and keep created_at" }, async ({ api }) => refreshes("put", api));
check({ id: "RES-10", level: "MUST", title: "MUST refresh updated_at on PATCH, even an empty one, and keep created_at" }, async ({ api }) =>
  refreshes("patch", api),
);

check({ id: "RES-11", level: "MUST", title: "MUST change only the members a PATCH names" }, async ({ api }) => {
  const created = await createUser(api);
  const res = await api.patch(`/api/users/${created.id}`, { name: "Only The Name" });
  expectStatus(res, 200);
  const patched = bodyOf(res, "User");
  expectEqual([patched.name, patched.email], ["Only The Name", created.email], "[name, email]");
});

check({ id: "RES-12", level: "MUST", title: "MUST answer DELETE with 204 and an empty body" }, async ({ api }) => {
  const created = await createUser(api);
  const res = await api.delete(`/api/users/${created.id}`);
  expectStatus(res, 204);
  expectEqual(res.body.length, 0, "body length");
});

check({ id: "RES-13", level: "MUST", title: "MUST answer 404 for GET of a deleted user" }, async ({ api }) => {
  const created = await createUser(api);
  expectStatus(await api.delete(`/api/users/${created.id}`), 204);
  expectStatus(await api.get(`/api/users/${created.id}`), 404);
});

for (const [id, method] of [
  ["RES-14", "PUT"],
  ["RES-15", "PATCH"],
  ["RES-16", "DELETE"],
] as const) {
  check({ id, level: "MUST", title: `MUST answer 404 for ${method} of a user that does not exist` }, async ({ api }) => {
    const created = await createUser(api);
    expectStatus(await api.delete(`/api/users/${created.id}`), 204);
    const body = method === "DELETE" ? {} : { json: { name: "Nobody", email: uniqueEmail() } };
    expectStatus(await api.request(method, `/api/users/${created.id}`, body), 404);
  });
}

check({ id: "RES-17", level: "MUST", title: "MUST assign strictly increasing ids in creation order" }, async ({ api }) => {
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) ids.push((await createUser(api)).id);
  assert(ids[0]! < ids[1]! && ids[1]! < ids[2]!, `ids ${ids.join(", ")} are not strictly increasing`);
});

check({ id: "RES-18", level: "MUST", title: "MUST never reuse the id of a deleted user" }, async ({ api }) => {
  const first = await createUser(api);
  expectStatus(await api.delete(`/api/users/${first.id}`), 204);
  const second = await createUser(api);
  assert(second.id > first.id, `new id ${second.id} is not greater than deleted id ${first.id}`);
});

check({ id: "RES-19", level: "MUST", title: "MUST answer 409 to POST with an email another user holds in other ASCII case" }, async ({ api }) => {
  const taken = await createUser(api);
  expectStatus(await api.post("/api/users", { name: "Copy", email: taken.email.toUpperCase() }), 409);
});

for (const [id, method] of [
  ["RES-20", "PUT"],
  ["RES-21", "PATCH"],
] as const) {
  check({ id, level: "MUST", title: `MUST answer 409 to ${method} with an email another user holds` }, async ({ api }) => {
    const [taken, user] = [await createUser(api), await createUser(api)];
    const body = method === "PUT" ? { name: user.name, email: taken.email } : { email: taken.email };
    expectStatus(await api.request(method, `/api/users/${user.id}`, { json: body }), 409);
  });
}

for (const [id, method] of [
  ["RES-22", "PUT"],
  ["RES-23", "PATCH"],
] as const) {
  check({ id, level: "MUST", title: `MUST let ${method} keep a user's own email in another case` }, async ({ api }) => {
    const user = await createUser(api);
    const email = user.email.toUpperCase();
    const body = method === "PUT" ? { name: user.name, email } : { email };
    const res = await api.request(method, `/api/users/${user.id}`, { json: body });
    expectStatus(res, 200);
    expectEqual(bodyOf(res, "User").email, email, "email");
  });
}

check({ id: "RES-24", level: "MUST", title: "MUST compare emails ASCII-case-insensitively only (É and é differ)" }, async ({ api }) => {
  const local = `émile-${uniqueEmail()}`;
  await createUser(api, { email: local });
  expectStatus(await api.post("/api/users", { name: "Émile", email: local.replace("é", "É") }), 201);
});

check({ id: "RES-25", level: "MUST", title: "MUST store any valid name exactly as sent (property, 25 runs)" }, async ({ api }) => {
  // Any code point but a surrogate (fast-check's "binary" unit builds a table of all 1.1 million
  // code points first, 0.7 s of CPU each time).
  const codePoint = fc.oneof(fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })).map((c) => String.fromCodePoint(c));
  const name = fc.string({ unit: codePoint, minLength: 1, maxLength: 100, size: "max" }).filter((s) => s.isWellFormed() && hasNonWhiteSpace(s));
  await fc.assert(
    fc.asyncProperty(name, async (n) => {
      const user = await createUser(api, { name: n });
      const res = await api.get(`/api/users/${user.id}`);
      expectStatus(res, 200);
      expectEqual(bodyOf(res, "User").name, n, "stored name");
    }),
    { numRuns: 25, seed: 20261124, endOnFailure: true }, // shrinking costs a request a step
  );
});

// A request answered 4xx or 5xx changes nothing, not even in part (contract, "Endpoints"). No
// status shows a partial write: each check reads the store back after one refused request.

/** Each user reads back exactly as it was before the refused request (`refused`: "PUT refused with 409"). */
async function expectUnchanged(api: Api, users: User[], refused: string) {
  for (const user of users) {
    const res = await api.get(`/api/users/${user.id}`);
    expectStatus(res, 200);
    expectEqual(bodyOf(res, "User"), user, `user ${user.id} after the ${refused}`);
  }
}

for (const [id, method] of [
  ["RES-26", "PUT"],
  ["RES-27", "PATCH"],
] as const) {
  check(
    {
      id,
      level: "MUST",
      section: "Endpoints",
      title: `MUST change nothing when it refuses a ${method} with 409: name, email and updated_at stay, and the other user keeps the email`,
    },
    async ({ api }) => {
      const [holder, user] = [await createUser(api), await createUser(api)];
      await sleep(1100); // a refreshed updated_at shows even with one-second precision
      const body = { name: "Not Applied", email: holder.email.toUpperCase() }; // PATCH names both members too
      expectStatus(await api.request(method, `/api/users/${user.id}`, { json: body }), 409);
      await expectUnchanged(api, [user, holder], `${method} refused with 409`);
    },
  );
}

/** Bodies that break one rule beside a member that is valid and new: a 422, and nothing applied. */
const halfValid = [
  ["RES-28", "PUT", "its email, beside a valid new name", () => ({ name: "Not Applied", email: "not-an-email" })],
  ["RES-29", "PUT", "its name, beside a valid new email", () => ({ name: "", email: uniqueEmail("not-applied") })],
  ["RES-30", "PATCH", "its email, beside a valid new name", () => ({ name: "Not Applied", email: "not-an-email" })],
  ["RES-31", "PATCH", "its name, beside a valid new email", () => ({ name: " ", email: uniqueEmail("not-applied") })],
  ["RES-32", "PATCH", "a member that is not a user's, beside a valid new name", () => ({ name: "Not Applied", role: "admin" })],
] as const;
for (const [id, method, why, body] of halfValid) {
  check({ id, level: "MUST", section: "Endpoints", title: `MUST change nothing when it refuses a ${method} with 422 for ${why}` }, async ({ api }) => {
    const user = await createUser(api);
    expectStatus(await api.request(method, `/api/users/${user.id}`, { json: body() }), 422);
    await expectUnchanged(api, [user], `${method} refused with 422`);
  });
}

/** total and X-Total-Count, from one small page. */
async function counts(api: Api) {
  const res = await api.get("/api/users?per_page=1");
  expectStatus(res, 200);
  return { total: bodyOf(res, "UserPage").total, header: expectHeader(res, "X-Total-Count") };
}

/** A valid user's JSON, then spaces up to 1,048,577 bytes: a decoder that reads only the object sees a good user. */
const userThenSpaces = () => {
  const json = JSON.stringify({ name: "Too Large", email: uniqueEmail("too-large") });
  return Buffer.from(json + " ".repeat(1_048_577 - Buffer.byteLength(json)));
};

const refusedCreates = [
  [
    "RES-33",
    413,
    "a chunked body of 1,048,577 bytes, the user first, then spaces",
    () => ({ body: userThenSpaces(), headers: { "content-type": "application/json" }, chunked: 65_536 }),
  ],
  [
    "RES-34",
    415,
    "text/plain",
    () => ({ body: JSON.stringify({ name: "Plain Text", email: uniqueEmail("plain") }), headers: { "content-type": "text/plain" } }),
  ],
] as const;
for (const [id, status, why, request] of refusedCreates) {
  check(
    { id, level: "MUST", section: "Endpoints", title: `MUST create no user when it refuses a POST with ${status} (${why}): total and X-Total-Count stay` },
    async ({ api }) => {
      const refused = `POST refused with ${status}`;
      // On a shared url: server another client may create or delete meanwhile: then it tries again.
      const { before, after } = await whileQuiet(
        async () => {
          const before = await counts(api);
          expectStatus(await api.request("POST", "/api/users", request()), status);
          return { before, after: await counts(api) };
        },
        (r) => r.after.total === r.before.total && r.after.header === r.before.header,
      );
      expectEqual(after.total, before.total, `total after the ${refused}`);
      expectEqual(after.header, before.header, `X-Total-Count after the ${refused}`);
    },
  );
}

check({ id: "RES-35", level: "MUST", section: "Endpoints", title: "MUST NOT list a user for a POST it refused with 409, 415 or 422" }, async ({ api }) => {
  const holder = await createUser(api);
  const refused = [
    { status: 409, email: holder.email.toUpperCase(), type: "application/json", extra: {} },
    { status: 415, email: uniqueEmail("refused"), type: "text/plain", extra: {} },
    { status: 422, email: uniqueEmail("refused"), type: "application/json", extra: { role: "admin" } },
  ];
  for (const r of refused) {
    const body = JSON.stringify({ name: `Refused ${r.status}`, email: r.email, ...r.extra });
    expectStatus(await api.request("POST", "/api/users", { body, headers: { "content-type": r.type } }), r.status);
  }
  const listed: User[] = [];
  for (let page = 1, last = 1; page <= last; page++) {
    const res = await api.get(`/api/users?per_page=100&page=${page}`);
    expectStatus(res, 200);
    const listing = bodyOf(res, "UserPage");
    listed.push(...listing.data);
    last = Math.ceil(listing.total / 100);
  }
  for (const r of refused) {
    const user = listed.find((u) => u.email === r.email); // the holder's email differs in case
    assert(!user, `the list holds user ${user?.id} (${r.email}) from the POST refused with ${r.status}`);
  }
});
