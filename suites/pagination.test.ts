// Listing and pagination: defaults, clamps, 400s, the body, X-Total-Count and Link.
import fc from "fast-check";
import { section } from "../harness/check/check.js";
import { assert, expectEqual, expectHeader, expectStatus, fail, linkTarget } from "../harness/check/expect.js";
import { bodyOf, type Api, type ApiResponse } from "../harness/client/http.js";
import { createUser, whileQuiet } from "../harness/check/users.js";
import table from "../fixtures/pagination.json" with { type: "json" };

const { check } = section("Listing and pagination");

/** The page and per_page of the link with this rel, or undefined when there is none. */
const link = (res: ApiResponse, api: Api, rel: string) => linkTarget(res, api.baseUrl, rel);

async function seed(api: Api, count: number) {
  for (let i = 0; i < count; i++) await createUser(api);
}

check({ id: "PAG-01", level: "MUST", title: "MUST default to page 1 and per_page 20" }, async ({ api }) => {
  const res = await api.get("/api/users");
  expectStatus(res, 200);
  const listing = bodyOf(res, "UserPage");
  expectEqual([listing.page, listing.per_page], [1, 20], "[page, per_page]");
});

check({ id: "PAG-02", level: "MUST", title: "MUST order data by id ascending" }, async ({ api }) => {
  await seed(api, 3);
  const res = await api.get("/api/users?per_page=100");
  expectStatus(res, 200);
  const ids = bodyOf(res, "UserPage").data.map((u) => u.id);
  assert(
    ids.every((id, i) => i === 0 || ids[i - 1]! < id),
    `ids ${ids.join(", ")} are not in ascending order`,
  );
});

check({ id: "PAG-03", level: "MUST", title: "MUST report the number of users in total and X-Total-Count", requires: "fresh" }, async ({ api }) => {
  const before = bodyOf(await api.get("/api/users"), "UserPage").total;
  await seed(api, 3);
  const res = await api.get("/api/users?per_page=1");
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "UserPage").total, before + 3, "total");
  expectEqual(expectHeader(res, "X-Total-Count"), String(before + 3), "X-Total-Count");
});

check({ id: "PAG-04", level: "MUST", title: "MUST return the users of the requested page", requires: "fresh" }, async ({ api }) => {
  const all = bodyOf(await api.get("/api/users?per_page=100"), "UserPage").data;
  await seed(api, Math.max(0, 5 - all.length));
  const ids = bodyOf(await api.get("/api/users?per_page=100"), "UserPage").data.map((u) => u.id);
  const res = await api.get("/api/users?page=2&per_page=2");
  expectStatus(res, 200);
  expectEqual(
    bodyOf(res, "UserPage").data.map((u) => u.id),
    ids.slice(2, 4),
    "ids on page 2 of size 2",
  );
});

check({ id: "PAG-05", level: "MUST", title: "MUST answer a page past the last with 200 and empty data" }, async ({ api }) => {
  await seed(api, 1);
  const res = await api.get("/api/users?page=1000000&per_page=100");
  expectStatus(res, 200);
  const listing = bodyOf(res, "UserPage");
  expectEqual(listing.data, [], "data");
  expectEqual(listing.page, 1000000, "page");
});

for (const c of table.clamps) {
  check({ id: c.id, level: "MUST", title: `MUST clamp ${c.why} (${c.query}) to page ${c.page}, per_page ${c.per_page}` }, async ({ api }) => {
    const res = await api.get(`/api/users?${c.query}`);
    expectStatus(res, 200);
    // JSON.parse loses precision above 2^53; compare the largest page as text.
    const listing = bodyOf(res, "UserPage");
    const page = c.page > Number.MAX_SAFE_INTEGER ? /"page"\s*:\s*(-?\d+)/.exec(res.text)?.[1] : listing.page;
    expectEqual([page, listing.per_page], [c.page > Number.MAX_SAFE_INTEGER ? "9223372036854775807" : c.page, c.per_page], "[page, per_page]");
  });
}

for (const c of table.invalid) {
  check({ id: c.id, level: "MUST", title: `MUST answer 400 for ${c.why} (${c.query})` }, async ({ api }) => {
    expectStatus(await api.get(`/api/users?${c.query}`), 400);
  });
}

check({ id: "PAG-50", level: "MUST", title: "MUST ignore unknown query parameters" }, async ({ api }) => {
  const res = await api.get("/api/users?sort=name&page=1&filter[x]=y");
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "UserPage").page, 1, "page");
});

check({ id: "PAG-51", level: "MUST", title: "MUST clamp any 64-bit page and per_page (property, 40 runs)" }, async ({ api }) => {
  const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 53n });
  await fc.assert(
    fc.asyncProperty(i64, i64, async (page, perPage) => {
      const res = await api.get(`/api/users?page=${page}&per_page=${perPage}`);
      expectStatus(res, 200);
      const clamp = (v: bigint, lo: bigint, hi: bigint) => Number(v < lo ? lo : v > hi ? hi : v);
      const listing = bodyOf(res, "UserPage");
      expectEqual(
        [listing.page, listing.per_page],
        [clamp(page, 1n, 2n ** 53n), clamp(perPage, 1n, 100n)],
        `[page, per_page] for page=${page}&per_page=${perPage}`,
      );
    }),
    { numRuns: 40, seed: 20261124, endOnFailure: true },
  );
});

check({ id: "PAG-60", level: "MUST", title: 'MUST send Link with rel="first" and rel="last"' }, async ({ api }) => {
  const res = await api.get("/api/users?per_page=7");
  expectStatus(res, 200);
  const last = Math.max(1, Math.ceil(bodyOf(res, "UserPage").total / 7));
  expectEqual(link(res, api, "first"), { page: 1, per_page: 7 }, 'rel="first"');
  expectEqual(link(res, api, "last"), { page: last, per_page: 7 }, 'rel="last"');
});

check({ id: "PAG-61", level: "MUST", title: 'MUST point rel="last" at page max(1, ceil(total / per_page))' }, async ({ api }) => {
  await seed(api, 5);
  const res = await api.get("/api/users?per_page=2");
  expectStatus(res, 200);
  expectEqual(link(res, api, "last")?.page, Math.max(1, Math.ceil(bodyOf(res, "UserPage").total / 2)), 'rel="last" page');
});

check({ id: "PAG-62", level: "MUST", title: 'MUST send rel="prev" to page P-1 when page P > 1, even past the end' }, async ({ api }) => {
  for (const page of [2, 50]) {
    const res = await api.get(`/api/users?page=${page}&per_page=2`);
    expectStatus(res, 200);
    expectEqual(link(res, api, "prev"), { page: page - 1, per_page: 2 }, `rel="prev" of page ${page}`);
  }
});

check({ id: "PAG-63", level: "MUST", title: 'MUST NOT send rel="prev" on page 1' }, async ({ api }) => {
  const res = await api.get("/api/users?page=1&per_page=2");
  expectStatus(res, 200);
  if (link(res, api, "prev")) fail('page 1 has a rel="prev" link');
});

check({ id: "PAG-64", level: "MUST", title: 'MUST send rel="next" to page P+1 when a later page holds users' }, async ({ api }) => {
  await seed(api, 3);
  const res = await api.get("/api/users?page=1&per_page=1");
  expectStatus(res, 200);
  expectEqual(link(res, api, "next"), { page: 2, per_page: 1 }, 'rel="next"');
});

check({ id: "PAG-65", level: "MUST", title: 'MUST NOT send rel="next" on the last page' }, async ({ api }) => {
  await seed(api, 1);
  const res = await whileQuiet(async () => {
    const total = bodyOf(await api.get("/api/users"), "UserPage").total;
    const last = await api.get(`/api/users?page=${Math.max(1, Math.ceil(total / 2))}&per_page=2`);
    expectStatus(last, 200);
    return bodyOf(last, "UserPage").total === total ? last : undefined; // still the last page: nobody created meanwhile
  });
  if (link(res, api, "next")) fail(`the last page (${bodyOf(res, "UserPage").page}) has a rel="next" link`);
});

check({ id: "PAG-66", level: "MUST", title: "MUST carry the clamped per_page in Link targets" }, async ({ api }) => {
  const res = await api.get("/api/users?per_page=500");
  expectStatus(res, 200);
  expectEqual(link(res, api, "first")?.per_page, 100, 'per_page of rel="first"');
});
