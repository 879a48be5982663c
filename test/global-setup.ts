// The global setup of the suite's tests of itself (vitest.config.ts's "self" project): the tools
// the bench's and the report's tests need, fetched while the conformance targets build, and the
// bench's trivial responder (harness/bench/bench-responder) for the bench's smoke test.
import { CHROMIUM, prefetch, WRK } from "../harness/run/apt.js";
import { buildServer } from "../harness/run/build.js";
import { exitOnUsageError } from "../harness/base/usage-error.js";

export default async function setup() {
  prefetch([CHROMIUM, WRK]);
  await buildServer("harness/bench/bench-responder").catch(exitOnUsageError);
}
