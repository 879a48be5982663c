// End-to-end over a whole run, against a stub server on loopback (no Docker): the exit code,
// conformance.json, and expectations.json with its "now passing" notice.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Report } from "../../harness/report/types.js";
import { conformanceRun, startStub, VITEST_BIN } from "../../scripts/stub-server.js";
import { compileSchema } from "../../harness/report/schemas.js";

const validReport = compileSchema<Report>("conformance");

let stub: Awaited<ReturnType<typeof startStub>>;
let url: string;

// Healthy, and 501 for everything else: RES-01 passes, ID-01 fails.
beforeAll(async () => {
  stub = await startStub();
  url = stub.url;
});
afterAll(() => stub.close());

/** Runs RES-01 and ID-01 against the stub; returns the exit code and the report. */
async function run(expectations?: object) {
  const env: NodeJS.ProcessEnv = { CONFORMANCE_TARGETS: `url:${url}`, CONFORMANCE_CHECKS: "RES-01,ID-01", CONFORMANCE_WORKERS: "1" };
  if (expectations) {
    env.CONFORMANCE_EXPECTATIONS = join(mkdtempSync(join(tmpdir(), "run-")), "expectations.json");
    writeFileSync(env.CONFORMANCE_EXPECTATIONS, JSON.stringify(expectations));
  }
  const { code, report } = await conformanceRun(env);
  expect(validReport(report) ? [] : validReport.errors, "conformance.json against harness/schemas/conformance.schema.json").toEqual([]);
  const byId = Object.fromEntries(report.targets[0]!.checks.map((c) => [c.id, c]));
  return { code, report, byId };
}

test.concurrent("a failed core check fails the run, and conformance.json says why", async () => {
  const { code, report, byId } = await run();
  expect(code).not.toBe(0);
  expect(report.targets[0]).toMatchObject({ name: `url:${url}`, kind: "url", image: null });
  expect(byId["RES-01"]).toMatchObject({ outcome: "passed", level: "MUST", profile: "core" });
  expect(byId["ID-01"]).toMatchObject({ outcome: "failed", gating: true, reason: "status 501, expected 404" });
  expect(byId["RES-02"], "a check CONFORMANCE_CHECKS leaves out is not in the report").toBeUndefined();
  expect(report.suite.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(Date.parse(report.startedAt)).not.toBeNaN();
}, 60_000);

test.concurrent("an expected failure does not fail the run, and an expected failure that passes is reported", async () => {
  const { code, byId } = await run({
    "ID-01": { outcome: "fail", reason: "stub" },
    "RES-01": { outcome: "fail", reason: "was broken once" },
  });
  expect(code).toBe(0);
  expect(byId["ID-01"]).toMatchObject({ outcome: "failed", gating: false, expected: { outcome: "fail" } });
  expect(byId["RES-01"]).toMatchObject({ outcome: "passed", nowPassing: true });
}, 60_000);

test.concurrent("a bad expectations file is a one-line error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "run-"));
  writeFileSync(join(dir, "e.json"), JSON.stringify({ "ID-01": { outcome: "maybe" } }));
  const env = { ...process.env, CONFORMANCE_TARGETS: `url:${url}`, CONFORMANCE_EXPECTATIONS: join(dir, "e.json") };
  const stderr = await new Promise<string>((resolve) => execFile(process.execPath, [VITEST_BIN, "list"], { env }, (_, __, err) => resolve(err)));
  expect(stderr).toMatch(/crud-conformance: .*e\.json: "ID-01" needs "outcome" \(fail, flaky or skip\)/);
  expect(stderr).not.toMatch(/\n\s+at /);
}, 60_000);
