// Optional profile `slow-client`: a client that takes longer than 10 s to send its request headers
// is cut off (408 or a closed connection), and one that takes 2 s is still served, so that cutting
// off everyone does not pass. Raw sockets: an HTTP client library sends its headers at once.
import { section } from "../harness/check/check.js";
import { assert, expectEqual, fail } from "../harness/check/expect.js";
import { bodyOf } from "../harness/client/http.js";
import { firstLine, parseResponse, rawExchange } from "../harness/client/raw.js";

const { check } = section("Optional profiles");
const profile = "slow-client";

// The contract's 10 s, and 2.5 s for a busy machine to deliver the cut.
const CUT_WITHIN_MS = 12_500;

check(
  // Ten seconds of trickling at the least: beside SLOW-02, on separate connections.
  {
    id: "SLOW-01",
    level: "MUST",
    profile,
    concurrent: true,
    title: "MUST cut off a client still sending its request headers after 10 s (408 or a closed connection)",
  },
  async ({ api }) => {
    const { host } = new URL(api.baseUrl);
    // The request line, then one byte of a header every 250 ms: longer than CUT_WITHIN_MS, never finished.
    const trickle = [`GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `, ..."a".repeat(CUT_WITHIN_MS / 250 + 20)];
    const out = await rawExchange(api.baseUrl, trickle, { intervalMs: 250, deadlineMs: CUT_WITHIN_MS });
    if (out.ended === "refused") fail("the connection was refused");
    if (out.ended === "open") fail(`the connection was still open ${CUT_WITHIN_MS / 1000} s into request headers sent a byte every 250 ms`);
    const answer = out.received.toString("latin1");
    assert(
      answer === "" || /^HTTP\/1\.[01] 408 /.test(answer),
      `answered ${firstLine(out.received)} after ${out.afterMs} ms, expected 408 or a closed connection`,
    );
  },
);

check({ id: "SLOW-02", level: "MUST", profile, title: "MUST serve a client whose request headers take 2 s to arrive" }, async ({ api }) => {
  const { host } = new URL(api.baseUrl);
  const request = `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
  const pieces = Array.from({ length: 20 }, (_, i) => request.slice((i * request.length) / 20, ((i + 1) * request.length) / 20));
  const out = await rawExchange(api.baseUrl, pieces, { intervalMs: 100, deadlineMs: 10_000 });
  const res = parseResponse(out.received);
  const notServed = "request headers sent over 2 s were not served";
  if (!res) {
    const got = out.received.length ? `got ${firstLine(out.received)}` : `no response, the connection ${out.ended === "open" ? "stayed open" : out.ended}`;
    fail(`${notServed}: ${got}`);
  }
  api.observe("GET", "/health", { host }, res);
  if (res.status !== 200) fail(`${notServed}: status ${res.status}, expected 200`);
  expectEqual(bodyOf(res, "Health"), { status: "ok" }, "body");
});
