// Optional profile `websocket`: GET /api/users/events upgrades (RFC 6455) to a stream of one JSON
// text message per committed change, in commit order; pings get pongs; on SIGTERM every open socket
// gets a close frame with code 1001, and the graceful-shutdown points still hold.
import { randomBytes } from "node:crypto";
import { section, type CheckContext } from "../harness/check/check.js";
import { assert, expectEqual, expectStatus, fail } from "../harness/check/expect.js";
import { bodyOf, type Api } from "../harness/client/http.js";
import { runShutdown, SHUTDOWN_POINTS, type Held } from "../harness/check/shutdown.js";
import { createUser, uniqueEmail } from "../harness/check/users.js";
import { type ChangeMessage, EventStream, type Closed, type Message } from "../harness/client/ws.js";

const { check } = section("Optional profiles");
const profile = "websocket";

const open = (api: Api) => EventStream.open(api.baseUrl, api.options.tls);

/**
 * An open stream that is known to carry changes: a user created after the upgrade must show up on
 * it (within 5 s), so that no check depends on when the server starts sending.
 */
async function subscribe(api: Api): Promise<EventStream> {
  const stream = await open(api);
  const sentinel = await createUser(api, { name: "Sentinel" });
  const [seen] = await stream.collect((m) => m?.type === "created" && m.user?.id === sentinel.id, 1);
  if (!seen) fail(`no {"type":"created"} message for user ${sentinel.id}, created after the socket opened, within 5 s`);
  if (seen.problem) fail(`the socket sent ${seen.problem}`);
  return stream;
}

/** The messages about these users, `count` of them, or a failure naming what arrived. */
async function about(stream: EventStream, ids: number[], count: number): Promise<(ChangeMessage | undefined)[]> {
  const mine = (m?: ChangeMessage) => ids.some((id) => m?.user?.id === id || m?.id === id);
  const got = await stream.collect(mine, count);
  const bad = got.find((m) => m.problem);
  if (bad) fail(`the socket sent ${bad.problem}`);
  if (got.length < count) fail(`${got.length} of ${count} messages arrived within 5 s: ${summary(got)}`);
  return got.slice(0, count).map((m) => m.json);
}

const summary = (messages: Message[]) => messages.map((m) => (m.json ? `${m.json.type} ${m.json.user?.id ?? m.json.id}` : "?")).join(", ") || "none";

check({ id: "WS-01", level: "MUST", profile, title: "MUST upgrade GET /api/users/events to a WebSocket (101 Switching Protocols)" }, async ({ api }) => {
  (await open(api)).close();
});

check({ id: "WS-02", level: "MUST", profile, title: 'MUST send {"type":"created","user":...} with the user as the 201 returned it' }, async ({ api }) => {
  const stream = await subscribe(api);
  const user = await createUser(api);
  expectEqual((await about(stream, [user.id], 1))[0], { type: "created", user }, "the message");
  stream.close();
});

check(
  { id: "WS-03", level: "MUST", profile, title: 'MUST send {"type":"updated","user":...} after a PUT and after a PATCH, with the user each returned' },
  async ({ api }) => {
    const stream = await subscribe(api);
    const user = await createUser(api);
    const put = await api.put(`/api/users/${user.id}`, { name: "Replaced", email: uniqueEmail() });
    expectStatus(put, 200);
    const patch = await api.patch(`/api/users/${user.id}`, { name: "Patched" });
    expectStatus(patch, 200);
    const updates = (await about(stream, [user.id], 3)).slice(1);
    expectEqual(
      updates,
      [
        { type: "updated", user: bodyOf(put, "User") },
        { type: "updated", user: bodyOf(patch, "User") },
      ],
      "the messages after created",
    );
    stream.close();
  },
);

check({ id: "WS-04", level: "MUST", profile, title: 'MUST send {"type":"deleted","id":...} for a deleted user' }, async ({ api }) => {
  const stream = await subscribe(api);
  const user = await createUser(api);
  expectStatus(await api.delete(`/api/users/${user.id}`), 204);
  expectEqual((await about(stream, [user.id], 2))[1], { type: "deleted", id: user.id }, "the message after created");
  stream.close();
});

check({ id: "WS-05", level: "MUST", profile, title: "MUST send the messages of creates, updates and a delete in commit order" }, async ({ api }) => {
  const stream = await subscribe(api);
  const [a, b] = [await createUser(api), await createUser(api)];
  expectStatus(await api.put(`/api/users/${a.id}`, { name: "A again", email: a.email }), 200);
  expectStatus(await api.patch(`/api/users/${b.id}`, { name: "B again" }), 200);
  expectStatus(await api.delete(`/api/users/${a.id}`), 204);
  const got = await about(stream, [a.id, b.id], 5);
  const expected = `created ${a.id}, created ${b.id}, updated ${a.id}, updated ${b.id}, deleted ${a.id}`;
  expectEqual(summary(got.map((json) => ({ json }))), expected, "the messages, in order");
  stream.close();
});

const N = 20;
check({ id: "WS-06", level: "MUST", profile, title: `MUST send the messages of ${N} concurrent creates in commit order (ascending ids)` }, async ({ api }) => {
  const stream = await subscribe(api);
  const all = await Promise.all(Array.from({ length: N }, (_, i) => api.post("/api/users", { name: `Concurrent ${i}`, email: uniqueEmail() })));
  for (const res of all) expectStatus(res, 201);
  const ids = all.map((r) => bodyOf(r, "User").id).sort((x, y) => x - y);
  const got = await about(stream, ids, N);
  expectEqual(got.map((m) => m?.user?.id).join(", "), ids.join(", "), "user ids of the created messages, in arrival order (commit order is ascending ids)");
  stream.close();
});

check({ id: "WS-07", level: "MUST", profile, title: "MUST answer a ping with a pong carrying the same payload" }, async ({ api }) => {
  const stream = await open(api);
  const payload = randomBytes(8);
  const pong = await stream.ping(payload);
  stream.close();
  if (!pong) fail("no pong within 3 s of a ping");
  expectEqual(pong.toString("hex"), payload.toString("hex"), "pong payload (hex)");
});

/** Two sockets held open through a SIGTERM scenario; what became of them. */
async function twoSockets(base: URL, tls: Api["options"]["tls"]): Promise<Held<Closed[]>> {
  const streams = await Promise.all([0, 1].map(() => EventStream.open(base.href, tls)));
  return {
    outcome: Promise.all(streams.map((s) => s.closed)),
    release: () => {
      for (const s of streams) s.close();
    },
  };
}

const scenario = (ctx: CheckContext) =>
  ctx.once("shutdown", () => ctx.boot().then(({ server, api }) => runShutdown(server, "SIGTERM", (base) => twoSockets(base, api.options.tls))));

// The shutdown scenario waits out fixed timers on a server of its own: beside the checks above.
check(
  {
    id: "WS-08",
    level: "MUST",
    profile,
    requires: "lifecycle",
    concurrent: true,
    title: "MUST send each open socket a close frame with code 1001 on SIGTERM before exiting",
  },
  async (ctx) => {
    const { held } = await scenario(ctx);
    if (!held) fail("the sockets were still open 2 s after the server exited");
    const codes = held.map((c) => c.code);
    assert(
      codes.every((c) => c === 1001),
      `the sockets closed with codes ${codes.join(", ")}, expected 1001 each (1006: no close frame)`,
    );
  },
);

for (const [n, title, assertPoint] of SHUTDOWN_POINTS) {
  const id = `WS-${String(8 + Number(n)).padStart(2, "0")}`;
  check({ id, level: "MUST", profile, requires: "lifecycle", concurrent: true, title: `${title} SIGTERM while event sockets are open` }, async (ctx) => {
    assertPoint(await scenario(ctx));
  });
}
