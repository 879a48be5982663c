// Concurrency: creates in parallel, one email raced, and a list that agrees with its totals.
import { section } from "../harness/check/check.js";
import { assert, expectEqual, expectHeader, expectStatus, isObject } from "../harness/check/expect.js";
import { bodyOf } from "../harness/client/http.js";
import { uniqueEmail, whileQuiet } from "../harness/check/users.js";

const { check } = section("Concurrency");

const N = 20;

check({ id: "CON-01", level: "MUST", title: `MUST give ${N} concurrent creates ${N} 201s with distinct ids` }, async ({ api }) => {
  const all = await Promise.all(Array.from({ length: N }, (_, i) => api.post("/api/users", { name: `Parallel ${i}`, email: uniqueEmail() })));
  const statuses = all.map((r) => r.status);
  assert(
    statuses.every((s) => s === 201),
    `statuses ${statuses.join(", ")}, expected all 201`,
  );
  expectEqual(new Set(all.map((r) => bodyOf(r, "User").id)).size, N, "number of distinct ids");
});

check({ id: "CON-02", level: "MUST", title: `MUST give exactly one 201 and ${N - 1} 409s to ${N} concurrent creates with one email` }, async ({ api }) => {
  const email = uniqueEmail("race");
  const all = await Promise.all(
    Array.from({ length: N }, (_, i) => api.post("/api/users", { name: `Racer ${i}`, email: i % 2 ? email.toUpperCase() : email })),
  );
  const statuses = all.map((r) => r.status).sort();
  expectEqual(statuses.join(","), ["201", ...Array(N - 1).fill("409")].join(","), "sorted statuses");
});

check({ id: "CON-03", level: "MUST", title: "MUST list exactly total users, as X-Total-Count says, while nothing writes" }, async ({ api }) => {
  await Promise.all(Array.from({ length: 5 }, () => api.post("/api/users", { name: "Listed", email: uniqueEmail() })));
  const { listed, total } = await whileQuiet(
    async () => {
      const first = await api.get("/api/users?per_page=100");
      expectStatus(first, 200);
      const total = bodyOf(first, "UserPage").total;
      expectEqual(expectHeader(first, "X-Total-Count"), String(total), "X-Total-Count");
      let listed = bodyOf(first, "UserPage").data.length;
      for (let page = 2; page <= Math.ceil(total / 100); page++) {
        const res = await api.get(`/api/users?per_page=100&page=${page}`);
        expectStatus(res, 200);
        listed += bodyOf(res, "UserPage").data.length;
      }
      // On a shared server another client may have written meanwhile: then read again.
      const last = await api.get("/api/users?per_page=1");
      return isObject(last.json) && last.json.total === total ? { listed, total } : undefined;
    },
    (r) => r.listed === r.total,
  );
  expectEqual(listed, total, "users listed across all pages");
});
