// Bodies: Content-Type (415), size (413, with the exact 1,048,576-byte boundary) and JSON syntax (400).
import { section } from "../harness/check/check.js";
import { expectStatus } from "../harness/check/expect.js";
import { pathFor, uniqueEmail } from "../harness/check/users.js";
import table from "../fixtures/bodies.json" with { type: "json" };

const { check } = section("Bodies (POST, PUT, PATCH)");

const LIMIT = 1_048_576;

/** A valid create/replace body padded with spaces to exactly `size` bytes. */
function padded(size: number) {
  const json = JSON.stringify({ name: "Padded", email: uniqueEmail("padded") });
  return Buffer.from(`${json.slice(0, -1)}${" ".repeat(size - Buffer.byteLength(json))}}`);
}

for (const c of table.unsupportedMediaTypes) {
  check({ id: c.id, level: "MUST", title: `MUST answer 415 to ${c.method} with ${c.why}` }, async ({ api }) => {
    const body = JSON.stringify({ name: "Ada", email: uniqueEmail() });
    const headers: Record<string, string> = c.contentType ? { "content-type": c.contentType } : {};
    expectStatus(await api.request(c.method, await pathFor(api, c.method), { body, headers }), 415);
  });
}

for (const c of table.acceptedMediaTypes) {
  check({ id: c.id, level: "MUST", title: `MUST accept ${c.method} with Content-Type ${c.contentType}` }, async ({ api }) => {
    const body = JSON.stringify({ name: "Ada", email: uniqueEmail() });
    const res = await api.request(c.method, await pathFor(api, c.method), { body, headers: { "content-type": c.contentType } });
    expectStatus(res, c.status);
  });
}

const sizes = [
  ["BODY-20", "POST", "declared by Content-Length", false],
  ["BODY-21", "POST", "sent chunked", true],
  ["BODY-22", "PUT", "declared by Content-Length", false],
  ["BODY-23", "PATCH", "sent chunked", true],
] as const;
for (const [id, method, how, chunked] of sizes) {
  check({ id, level: "MUST", title: `MUST answer 413 to ${method} with a body of 1,048,577 bytes ${how}` }, async ({ api }) => {
    const path = await pathFor(api, method);
    const headers = { "content-type": "application/json" };
    const res = await api.request(method, path, { body: padded(LIMIT + 1), headers, ...(chunked ? { chunked: 65_536 } : {}) });
    expectStatus(res, 413);
  });
}

for (const [id, how, chunked] of [
  ["BODY-24", "declared by Content-Length", false],
  ["BODY-25", "sent chunked", true],
] as const) {
  check({ id, level: "MUST", title: `MUST NOT reject a body of exactly 1,048,576 bytes ${how} for its size` }, async ({ api }) => {
    const headers = { "content-type": "application/json" };
    const res = await api.request("POST", "/api/users", { body: padded(LIMIT), headers, ...(chunked ? { chunked: 65_536 } : {}) });
    expectStatus(res, 201);
  });
}

for (const c of table.malformed) {
  check({ id: c.id, level: "MUST", title: `MUST answer 400 to ${c.method} with ${c.why}` }, async ({ api }) => {
    const body = "bodyHex" in c ? Buffer.from(c.bodyHex!, "hex") : c.body!;
    const res = await api.request(c.method, await pathFor(api, c.method), { body, headers: { "content-type": "application/json" } });
    expectStatus(res, 400);
  });
}
