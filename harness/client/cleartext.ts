// The `tls` profile's rule for cleartext on the TLS port: never served. The server closes the
// connection (a TLS alert before the close is fine, as rustls sends) or answers with a 4xx (as
// Go's net/http and nginx do by default); a 2xx, 3xx or 5xx, or any bytes that carry the API's
// data, break it.
import { firstLine, type RawOutcome } from "./raw.js";

/** What marks the API's data in a body: the health answer, a page, a user. */
const API_DATA = /"status"\s*:\s*"ok"|"(?:data|total|per_page|email|created_at|updated_at)"\s*:/;

/** Why `out`, what a cleartext request (`what`) got, breaks the rule; undefined when it does not. */
export function cleartextServed(what: string, out: RawOutcome, deadlineMs: number): string | undefined {
  const text = out.received.toString("latin1");
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text)?.[1];
  const expected = "expected a closed connection or a 4xx";
  if (status !== undefined && !status.startsWith("4")) return `${what} was answered ${firstLine(out.received)}, ${expected}`;
  if (status === undefined && out.ended === "open") return `${what} got ${out.received.length} bytes and no close within ${deadlineMs / 1000} s, ${expected}`;
  const data = API_DATA.exec(text);
  if (data)
    return `${what} got the API's data in cleartext (${JSON.stringify(text.slice(Math.max(0, data.index - 20), data.index + 40))}), ${expected} without it`;
  return undefined;
}
