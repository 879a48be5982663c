// Optional profile `http2`: the same API over cleartext HTTP/2 with prior knowledge (h2c), and, for
// a server that also claims `tls`, over TLS with ALPN h2 (profile "http2+tls": it gates only when
// both are claimed, and it boots its own server with the harness's certificate).
import { section } from "../harness/check/check.js";
import { expectEqual, expectStatus, fail } from "../harness/check/expect.js";
import { http2Transport } from "../harness/client/h2.js";
import { bodyOf } from "../harness/client/http.js";
import { createOver, expectHealth, expectListWithLinks } from "../harness/check/same-api.js";
import { handshake } from "../harness/client/tls.js";
import { createUser } from "../harness/check/users.js";

const { check } = section("Optional profiles");
const profile = "http2";

check({ id: "H2-01", level: "MUST", profile, title: "MUST answer GET /health over h2c with prior knowledge" }, async ({ api }) => {
  expectHealth(await api.via(http2Transport).get("/health"));
});

check(
  {
    id: "H2-02",
    level: "MUST",
    profile,
    title: "MUST answer POST /api/users over h2c with 201, Location and the user (body in DATA frames, no Content-Length)",
  },
  async ({ api }) => {
    await createOver(api.via(http2Transport));
  },
);

check({ id: "H2-03", level: "MUST", profile, title: "MUST answer GET /api/users/{id} over h2c with the user" }, async ({ api }) => {
  const created = await createUser(api);
  const res = await api.via(http2Transport).get(`/api/users/${created.id}`);
  expectStatus(res, 200);
  expectEqual(bodyOf(res, "User"), created, "user");
});

check({ id: "H2-04", level: "MUST", profile, title: "MUST answer GET /api/users over h2c with Link and X-Total-Count" }, async ({ api }) => {
  for (let i = 0; i < 3; i++) await createUser(api);
  expectListWithLinks(await api.via(http2Transport).get("/api/users?per_page=2"));
});

check(
  { id: "H2-05", level: "MUST", profile: "http2+tls", requires: "tls", title: "MUST negotiate h2 by ALPN over TLS and serve the API there (with tls)" },
  async ({ boot }) => {
    const { api, server } = await boot({ tls: true });
    const hello = await handshake(server.baseUrl, server.tls!, { ALPNProtocols: ["h2", "http/1.1"] });
    if (hello.error) fail(`the TLS handshake failed: ${hello.error}`);
    if (hello.alpn !== "h2") fail(`ALPN selected ${JSON.stringify(hello.alpn)} from ["h2", "http/1.1"], expected "h2"`);
    const h2 = api.via(http2Transport);
    expectHealth(await h2.get("/health"));
    await createOver(h2);
  },
);
