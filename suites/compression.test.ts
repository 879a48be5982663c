// Optional profile `compression`: Accept-Encoding: gzip on a list response over 1 KiB is answered
// with Content-Encoding: gzip and a body that inflates to the same JSON; a request that accepts only
// identity gets no gzip (RFC 9110 §12.5.3). The client inflates gzip itself (harness/client/http.ts).
import { section, type CheckContext } from "../harness/check/check.js";
import { assert, expectEqual, expectStatus, fail } from "../harness/check/expect.js";
import { createUser, whileQuiet } from "../harness/check/users.js";

const { check } = section("Optional profiles");
const profile = "compression";

const LIST = "/api/users?per_page=100";

/** Enough users for the list to be over 1 KiB (made once per server; users are never deleted here). */
async function bigList({ api, once }: CheckContext) {
  await once("users", async () => {
    for (let i = 0; i < 12; i++) await createUser(api, { name: `Compressible user number ${i}` });
  });
  const plain = await api.get(LIST);
  expectStatus(plain, 200);
  assert(plain.body.length > 1024, `the list is ${plain.body.length} bytes, not over 1 KiB`);
}

check(
  { id: "GZIP-01", level: "MUST", profile, title: "MUST answer GET /api/users over 1 KiB with Content-Encoding: gzip to Accept-Encoding: gzip" },
  async (ctx) => {
    const { api } = ctx;
    await bigList(ctx);
    const res = await api.get(LIST, { headers: { "accept-encoding": "gzip" } });
    expectStatus(res, 200);
    expectEqual(res.headers["content-encoding"], "gzip", "Content-Encoding");
  },
);

check({ id: "GZIP-02", level: "MUST", profile, title: "MUST send a gzip body that inflates to the same JSON as the uncompressed list" }, async (ctx) => {
  const { api } = ctx;
  await bigList(ctx);
  const { plain, gzipped } = await whileQuiet(
    async () => {
      const [plain, gzipped, again] = [await api.get(LIST), await api.get(LIST, { headers: { "accept-encoding": "gzip" } }), await api.get(LIST)];
      return plain.text === again.text ? { plain, gzipped } : undefined;
    },
    (r) => !r.gzipped.encoded || JSON.stringify(r.gzipped.json) === JSON.stringify(r.plain.json),
  );
  if (!gzipped.encoded) fail(`the response to Accept-Encoding: gzip is not gzip (Content-Encoding ${JSON.stringify(gzipped.headers["content-encoding"])})`);
  expectEqual(gzipped.json, plain.json, "the inflated JSON (the uncompressed list's)");
});

check({ id: "GZIP-03", level: "MUST", profile, title: "MUST NOT gzip a list over 1 KiB for a request with Accept-Encoding: identity" }, async (ctx) => {
  const { api } = ctx;
  await bigList(ctx);
  const res = await api.get(LIST, { headers: { "accept-encoding": "identity" } });
  expectStatus(res, 200);
  const coding = res.headers["content-encoding"];
  assert(coding === undefined || coding === "identity", `Content-Encoding ${coding} on a request that accepts only identity`);
});
