// Optional profile `tls`: given TLS_CERT and TLS_KEY, the server speaks HTTPS on $PORT instead of
// cleartext. Every server of this file starts with a certificate from the harness's throwaway CA
// (harness/client/tls.ts), and the clients trust only that CA.
import { pki, section } from "../harness/check/check.js";
import { assert, expectEqual, expectStatus, fail } from "../harness/check/expect.js";
import { cleartextServed } from "../harness/client/cleartext.js";
import { bodyOf } from "../harness/client/http.js";
import { rawExchange } from "../harness/client/raw.js";
import { createOver, expectHealth, expectListWithLinks } from "../harness/check/same-api.js";
import { handshake } from "../harness/client/tls.js";

const { check } = section("Optional profiles", { tls: true });
const profile = "tls";

check(
  { id: "TLS-01", level: "MUST", profile, title: "MUST present the TLS_CERT certificate, whose chain verifies against the CA that issued it" },
  async ({ api }) => {
    const hello = await handshake(api.baseUrl, api.options.tls!);
    if (hello.error) fail(`the TLS handshake failed: ${hello.error}`);
    assert(hello.authorized, `the certificate does not verify against the harness's CA: ${hello.authorizationError}`);
    expectEqual(hello.fingerprint256, pki().fingerprint256, "SHA-256 fingerprint of the certificate presented (TLS_CERT's)");
  },
);

check({ id: "TLS-02", level: "MUST", profile, title: "MUST answer GET /health over HTTPS" }, async ({ api }) => {
  expectHealth(await api.get("/health"));
});

// RFC 9325 (BCP 195) §3.1.1: TLS 1.2 MUST be supported, TLS 1.3 SHOULD be.
for (const [id, level, version] of [
  ["TLS-03", "MUST", "TLSv1.2"],
  ["TLS-04", "SHOULD", "TLSv1.3"],
] as const) {
  check(
    { id, level, profile, title: `${level} negotiate ${version.replace("v", " ")} with a client that offers only ${version.replace("v", " ")}` },
    async ({ api }) => {
      const hello = await handshake(api.baseUrl, api.options.tls!, { minVersion: version, maxVersion: version });
      if (hello.error) fail(`a handshake offering only ${version} failed: ${hello.error}`);
      expectEqual(hello.protocol, version, "negotiated protocol");
    },
  );
}

check({ id: "TLS-05", level: "MUST", profile, title: "MUST serve the users API over HTTPS: create, read by Location, list with Link" }, async ({ api }) => {
  const created = await createOver(api);
  const res = await api.get(`/api/users/${created.id}`);
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "User"), created, "user");
  expectListWithLinks(await api.get("/api/users?per_page=1"));
});

// What Go's and nginx's TLS servers answer by default (an HTTP 400) passes, and so does rustls'
// alert and close; the API must never come back in cleartext (harness/client/cleartext.ts).
check(
  { id: "TLS-06", level: "MUST", profile, title: "MUST close a cleartext request on its TLS port or answer it with a 4xx, never with the API" },
  async ({ api }) => {
    const { host } = new URL(api.baseUrl);
    const deadlineMs = 10_000;
    for (const path of ["/health", "/api/users"]) {
      const out = await rawExchange(api.baseUrl, [`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`], { deadlineMs });
      const served = cleartextServed(`a cleartext GET ${path} on the TLS port`, out, deadlineMs);
      if (served) fail(served);
    }
  },
);
