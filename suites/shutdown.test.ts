// Graceful shutdown, on SIGTERM and on SIGINT: the contract's four points, each its own check.
// One scenario per signal runs on its own fresh server; the checks read what it observed.
import { section, type CheckContext } from "../harness/check.js";
import { assert, expectEqual, fail } from "../harness/expect.js";
import { runShutdown, FINISH_BODY_AFTER_MS, PROBE_AFTER_MS, type ShutdownObservation, type Signal } from "../harness/shutdown.js";

const { check } = section("Graceful shutdown");

/** Both scenarios start with the first check, and run side by side. */
async function observe(ctx: CheckContext, signal: Signal) {
  const start = (s: Signal) => ctx.boot().then(({ server }) => runShutdown(server, s));
  const scenarios = await ctx.once("shutdown", async () => ({ SIGTERM: start("SIGTERM"), SIGINT: start("SIGINT") }));
  return scenarios[signal];
}

const points = [
  ["01", `MUST stop accepting new connections within 1 s of`, (o: ShutdownObservation) => {
    assert(o.probe.refused, `${o.probe.detail} ${PROBE_AFTER_MS} ms after the signal`);
  }],
  ["02", `MUST complete a request whose body is still arriving (finished ${FINISH_BODY_AFTER_MS / 1000} s later) after`, (o: ShutdownObservation) => {
    if (o.inflight.error) fail(`the in-flight POST got no full response: ${o.inflight.error}`);
    expectEqual(o.inflight.status, 201, "status of the in-flight POST");
    assert(JSON.parse(o.inflight.body ?? "null")?.name === "In Flight", `the in-flight 201 body is incomplete: ${JSON.stringify(o.inflight.body)}`);
  }],
  ["03", "MUST close idle keep-alive connections on", (o: ShutdownObservation) => {
    assert(o.idleClosedAt !== undefined, `the idle keep-alive connection was still open ${FINISH_BODY_AFTER_MS / 1000} s after the signal`);
  }],
  ["04", "MUST exit with status 0 within 2 s of its last in-flight response after", (o: ShutdownObservation) => {
    if (!o.exit) fail("the server was still running 10 s after its last in-flight response");
    expectEqual(o.exit.exitCode, 0, "exit status");
    const after = o.exit.finishedAt - o.inflight.at;
    assert(after <= 2000, `exited ${after} ms after the last in-flight response, expected at most 2000`);
  }],
] as const;

for (const [signal, prefix] of [["SIGTERM", "SHUT-TERM"], ["SIGINT", "SHUT-INT"]] as const) {
  for (const [n, title, assertPoint] of points) {
    check({ id: `${prefix}-${n}`, level: "MUST", title: `${title} ${signal}`, requires: "lifecycle", timeoutMs: 60_000 }, async (ctx) => {
      assertPoint(await observe(ctx, signal));
    });
  }
}
