// Graceful shutdown, on SIGTERM and on SIGINT: the contract's four points, each its own check.
// One scenario per signal runs on its own fresh server; the checks read what it observed.
import { section, type CheckContext } from "../harness/check/check.js";
import { runShutdown, SHUTDOWN_POINTS, type Signal } from "../harness/check/shutdown.js";

const { check } = section("Graceful shutdown");

/**
 * Both scenarios start with the first check, and run side by side. A target that runs only some
 * of these checks (a fault's) may not read the other scenario, which then fails once its server
 * is stopped with the file: that is no error of the run.
 */
async function observe(ctx: CheckContext, signal: Signal) {
  const start = (s: Signal) => {
    const scenario = ctx.boot().then(({ server }) => runShutdown(server, s));
    scenario.catch(() => {});
    return scenario;
  };
  const scenarios = await ctx.once("shutdown", async () => ({ SIGTERM: start("SIGTERM"), SIGINT: start("SIGINT") }));
  return scenarios[signal];
}

for (const [signal, prefix] of [
  ["SIGTERM", "SHUT-TERM"],
  ["SIGINT", "SHUT-INT"],
] as const) {
  for (const [n, title, assertPoint] of SHUTDOWN_POINTS) {
    check({ id: `${prefix}-${n}`, level: "MUST", title: `${title} ${signal}`, requires: "lifecycle", timeoutMs: 60_000 }, async (ctx) => {
      assertPoint(await observe(ctx, signal));
    });
  }
}
