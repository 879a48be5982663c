import { defineConfig } from "vitest/config";
import { resolveTargets, type Target } from "./harness/targets.js";
import { faultProjects } from "./harness/faults.js";
import { UsageError } from "./harness/usage-error.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true"; // Ryuk cannot be pulled here; harness/docker.ts reaps instead

/** Bad input is one line naming the fix, never a stack trace. */
function orExit<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`\ncrud-conformance: ${e.message}\n`);
    process.exit(2);
  }
}

const reports = process.env.CONFORMANCE_REPORT_DIR ?? "reports";
/** `npm run conformance` sets CONFORMANCE_ONLY=1: the targets, without the suite's tests of itself. */
const only = process.env.CONFORMANCE_ONLY === "1";
const targetProject = (target: Target, include = ["suites/**/*.test.ts"], testNamePattern?: string) => ({
  extends: true as const,
  test: { name: target.name, include, globalSetup: ["harness/global-setup.ts"], provide: { target }, ...(testNamePattern ? { testNamePattern } : {}) },
});

export default defineConfig({
  test: {
    reporters: ["default", ["junit", { suiteName: "crud-conformance" }], ["./harness/reporter.ts", { outputDir: reports }]],
    outputFile: { junit: `${reports}/junit.xml` },
    // Checks mostly wait on servers, not the CPU: run more files at once than vitest's default
    // (cores - 1, a single worker on two cores).
    maxWorkers: Number(process.env.CONFORMANCE_WORKERS ?? 4),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      ...orExit(resolveTargets).map((target) => targetProject(target)),
      ...(only
        ? []
        : [
            ...orExit(faultProjects).map((f) => targetProject(f.target, f.include, f.testNamePattern)),
            { extends: true as const, test: { name: "self", include: ["harness/**/*.test.ts", "scripts/**/*.test.ts"] } },
          ]),
    ],
  },
});
