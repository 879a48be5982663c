// TLS-06's judgement of what a cleartext request on the TLS port got back, on the answers real
// servers give and on the ways of serving the API anyway.
import { describe, expect, test } from "vitest";
import { cleartextServed } from "../../harness/client/cleartext.js";
import type { RawOutcome } from "../../harness/client/raw.js";

const got = (bytes: string | Buffer, ended: RawOutcome["ended"] = "closed"): RawOutcome => ({
  received: Buffer.from(bytes as string, "latin1"),
  ended,
  afterMs: 5,
});
const judge = (out: RawOutcome) => cleartextServed("a cleartext GET /health on the TLS port", out, 10_000);

describe("not served: passes", () => {
  test("a close without a byte", () => expect(judge(got(""))).toBeUndefined());
  test("a TLS alert (decode_error), then a close, as rustls answers", () => expect(judge(got(Buffer.from("15030300020232", "hex")))).toBeUndefined());
  test("Go's net/http default: HTTP/1.0 400 and a sentence", () =>
    expect(judge(got("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"))).toBeUndefined());
  test("nginx's 400 page", () =>
    expect(
      judge(got("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<center>The plain HTTP request was sent to HTTPS port</center>")),
    ).toBeUndefined());
  test("a 4xx problem object, left open after it", () =>
    expect(judge(got('HTTP/1.1 426 Upgrade Required\r\n\r\n{"type":"about:blank","title":"Upgrade Required","status":426}', "open"))).toBeUndefined());
  test("a connection refused outright", () => expect(judge(got("", "refused"))).toBeUndefined());
});

describe("served: fails, saying what came back", () => {
  test("the API's 200", () =>
    expect(judge(got('HTTP/1.1 200 OK\r\n\r\n{"status":"ok"}'))).toMatch(/was answered "HTTP\/1.1 200 OK", expected a closed connection or a 4xx/));
  test("a redirect to https", () =>
    expect(judge(got("HTTP/1.1 301 Moved Permanently\r\nLocation: https://localhost/\r\n\r\n"))).toMatch(/answered "HTTP\/1.1 301/));
  test("a 5xx", () => expect(judge(got("HTTP/1.1 502 Bad Gateway\r\n\r\n"))).toMatch(/answered "HTTP\/1.1 502/));
  test("a 4xx that carries a user", () =>
    expect(judge(got('HTTP/1.1 400 Bad Request\r\n\r\n{"id":1,"name":"Ada","email":"ada@example.com"}'))).toMatch(/got the API's data in cleartext/));
  test("the API's body without a status line", () =>
    expect(judge(got('{"data":[],"page":1,"per_page":20,"total":0}'))).toMatch(/got the API's data in cleartext/));
  test("no answer and no close", () => expect(judge(got("", "open"))).toMatch(/no close within 10 s/));
});
