import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { resolveTargets } from "./harness/run/targets.js";
import { exitOnUsageError } from "./harness/base/usage-error.js";
import { networkMode } from "./harness/run/pod.js";
import { runLimits } from "./harness/run/limits.js";
import { prefixOf, selectedChecks } from "./harness/base/selection.js";
import { SUITE_OF_PREFIX } from "./harness/base/catalogue.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true"; // Ryuk cannot be pulled here; harness/run/docker.ts reaps instead

/** Bad input is one line naming the fix, never a stack trace. */
function orExit<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    return exitOnUsageError(e);
  }
}

/**
 * The graceful-shutdown, WebSocket and slow-client files wait 11 to 15 s on fixed timers whatever
 * the machine does, and the sequences are long: start them first so the rest of the run overlaps
 * them. Then the other check files, then the self-tests.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const waits = /\/(shutdown|websocket|slow-client|sequences)\.test\.ts$/;
    const rank = (f: TestSpecification) => (waits.test(f.moduleId) ? 0 : f.project.name === "checks" ? 1 : 2);
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

const reports = process.env.CONFORMANCE_REPORT_DIR ?? "reports";
/** `npm run conformance` sets CONFORMANCE_ONLY=1: the targets, without the suite's tests of itself. */
const only = process.env.CONFORMANCE_ONLY === "1";
/** The suite's test of itself (test/faults): its broken servers, checked beside the targets under `npm test`. */
const self = only ? undefined : await import("./test/faults/faults.js");
/** The targets the run reports on: every implementation folder, or CONFORMANCE_TARGETS. */
const checked = orExit(resolveTargets);
/** Every suite file checks every target, side by side. */
const targets = [...checked, ...(self ? orExit(() => self.faultTargets()) : [])];
orExit(networkMode);
orExit(() => runLimits(targets.length)); // a bad CONFORMANCE_AT_ONCE stops the run before any set-up

/** CONFORMANCE_CHECKS (harness/check/check.ts) runs only some checks: only the files that hold them. */
const onlyChecks = selectedChecks()
  ?.map((id) => SUITE_OF_PREFIX[prefixOf(id)])
  .filter(Boolean);
const suites = onlyChecks?.length ? [...new Set(onlyChecks)].map((f) => `suites/${f}.test.ts`) : ["suites/**/*.test.ts"];

export default defineConfig({
  test: {
    reporters: [
      "default",
      ["junit", { suiteName: "crud-conformance" }],
      ["./harness/report/reporter.ts", { outputDir: reports, targets: checked.map((t) => t.name) }],
    ],
    outputFile: { junit: `${reports}/junit.xml` },
    // Checks mostly wait on servers, not the CPU: more files at once than vitest's default
    // (cores - 1, a single worker on two cores). Three of them spend ~10 s on the contract's fixed
    // timers (shutdown, WebSocket, slow client); the others keep both cores busy meanwhile.
    maxWorkers: Number(process.env.CONFORMANCE_WORKERS ?? 6),
    // Keep vite's transforms of the harness and suites on disk (node_modules/.experimental-vitest-cache):
    // a warm run then transforms nothing.
    experimental: { fsModuleCache: true },
    // Targets run side by side within a file (harness/check/check.ts): allow all of them at once. No lower
    // bound: a check waiting for its target's slot in the run's limit (harness/run/limits.ts) must never
    // hold up the checks, or the afterAll, of a target that has one.
    maxConcurrency: 1_000_000,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: "checks",
          include: suites,
          globalSetup: ["harness/run/global-setup.ts"],
          provide: { targets },
          setupFiles: self ? ["test/faults/setup.ts"] : [],
          // The harness keeps no state between files: a worker imports it (testcontainers, ajv
          // and the compiled spec) once, not once per file.
          isolate: false,
        },
      },
      ...(only ? [] : [{ extends: true as const, test: { name: "self", include: ["test/**/*.test.ts"], globalSetup: ["test/global-setup.ts"] } }]),
    ],
  },
});
