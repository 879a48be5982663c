import { defineConfig } from "vitest/config";
import { resolveTargets, type Target } from "./harness/targets.js";
import { UsageError } from "./harness/usage-error.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true"; // Ryuk cannot be pulled here; harness/docker.ts reaps instead

function targets(): Target[] {
  try {
    return resolveTargets();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`\ncrud-conformance: ${e.message}\n`);
    process.exit(2);
  }
}

const reports = process.env.CONFORMANCE_REPORT_DIR ?? "reports";

export default defineConfig({
  test: {
    reporters: ["default", ["junit", { suiteName: "crud-conformance" }], ["./harness/reporter.ts", { outputDir: reports }]],
    outputFile: { junit: `${reports}/junit.xml` },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      ...targets().map((target) => ({
        extends: true as const,
        test: {
          name: target.name,
          include: ["suites/**/*.test.ts"],
          globalSetup: ["harness/global-setup.ts"],
          provide: { target },
        },
      })),
      { extends: true as const, test: { name: "self", include: ["harness/**/*.test.ts", "scripts/**/*.test.ts"] } },
    ],
  },
});
