// The in-process target kind, end to end: `CONFORMANCE_TARGETS=app:<module>` runs the checks
// against a request listener in the run's own processes, with no Docker engine, through
// supertest; a deliberate fault in the app fails its check for its reason, and a check that
// needs a process is reported as skipped with why.
import { expect, test } from "vitest";
import { conformanceRun } from "../../scripts/stub-server.js";

const APP = "fixtures/app/users.ts";

/** RES-01, RES-03, RES-07 and SHUT-TERM-01 against the fixture app; its exit code and report. */
async function run(fault?: string) {
  const { code, report } = await conformanceRun({
    CONFORMANCE_TARGETS: `app:${APP}`,
    CONFORMANCE_CHECKS: "RES-01,RES-03,RES-07,SHUT-TERM-01",
    CONFORMANCE_WORKERS: "2",
    DOCKER_HOST: "unix:///nonexistent.sock", // no engine: an app: run must not need one
    ...(fault ? { APP_FAULT: fault } : {}),
  });
  return { code, target: report.targets[0]!, byId: Object.fromEntries(report.targets[0]!.checks.map((c) => [c.id, c])) };
}

test.concurrent("an app: target passes against a correct app, with no Docker engine, and skips what needs a process", async () => {
  const { code, target, byId } = await run();
  expect(code).toBe(0);
  expect(target).toMatchObject({ name: `app:${APP}`, kind: "app", image: null });
  expect([byId["RES-01"]?.outcome, byId["RES-03"]?.outcome, byId["RES-07"]?.outcome]).toEqual(["passed", "passed", "passed"]);
  expect(byId["SHUT-TERM-01"]).toMatchObject({ outcome: "skipped", reason: expect.stringContaining("an app: target, run in this process") });
}, 60_000);

test.concurrent("an app: target fails a check against an app with a deliberate fault, for its reason", async () => {
  const { code, byId } = await run("create-200");
  expect(code).not.toBe(0);
  expect(byId["RES-03"]).toMatchObject({ outcome: "failed", gating: true, reason: "status 200, expected 201" });
  expect(byId["RES-01"]?.outcome).toBe("passed");
}, 60_000);
