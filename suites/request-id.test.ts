// Optional profile `request-id`: X-Request-Id is echoed when the request has one and generated when
// it does not, a new one for each request.
import { randomBytes } from "node:crypto";
import { section } from "../harness/check.js";
import { assert, expectEqual, expectHeader, expectStatus } from "../harness/expect.js";

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
