// Scale-out: two vitest shards merged with --merge-reports give the same conformance.json as one
// run. Run against a stub on loopback (every check fails fast), so no Docker is needed.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Report } from "../../harness/report/types.js";
import { startStub, VITEST_BIN } from "../../scripts/stub-server.js";

let stub: Awaited<ReturnType<typeof startStub>>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stub = await startStub();
  // One worker: against a stub every check is quick, and one import of the harness is cheaper than
  // four. Five suite files, none of which waits out a timer: enough for two shards to differ.
  const checks = "RES-*,ID-*,PAG-*,VAL-*,MTH-*";
  env = { ...process.env, CONFORMANCE_TARGETS: `url:${stub.url}`, CONFORMANCE_ONLY: "1", CONFORMANCE_WORKERS: "1", CONFORMANCE_CHECKS: checks };
});
afterAll(() => stub.close());

const vitest = (args: string[], reports: string) =>
  new Promise<void>((resolve) => execFile(process.execPath, [VITEST_BIN, ...args], { env: { ...env, CONFORMANCE_REPORT_DIR: reports } }, () => resolve()));

/** The report without what differs between any two runs: times, and the random data in exchanges. */
function comparable(dir: string) {
  const report: Report = JSON.parse(readFileSync(join(dir, "conformance.json"), "utf8"));
  return report.targets.map((t) => ({
    ...t,
    checks: t.checks.map(({ durationMs, waitMs, exchanges, log, reproduce, ...check }) => check),
  }));
}

test("two shards merged equal one run", async () => {
  const [single, merged, blobs] = ["single", "merged", "blobs"].map((n) => mkdtempSync(join(tmpdir(), `${n}-`)));
  await Promise.all([
    vitest(["run"], single!),
    vitest(["run", "--shard=1/2", "--reporter=blob", `--outputFile=${blobs}/blob-1.json`], merged!),
    vitest(["run", "--shard=2/2", "--reporter=blob", `--outputFile=${blobs}/blob-2.json`], merged!),
  ]);
  await vitest(["run", `--merge-reports=${blobs}`], merged!);
  const one = comparable(single!);
  expect(one[0]!.checks.length).toBeGreaterThan(150);
  expect(comparable(merged!)).toEqual(one);
}, 180_000);
