// Every check the suite files declare, with its metadata (id, level, profile, section, title) and
// its file, as vitest collects them against one stub server: what `npm run generate` writes the id
// snapshot and the profile table from, and what test/check/checks.test.ts holds them to. Run as
// `tsx scripts/list-checks.ts <out.json>` it writes the list to <out.json> (the test runs it so,
// in a process of its own).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createVitest } from "vitest/node";
import type { CheckMeta } from "../harness/check/check.js";
import { startStub } from "./stub-server.js";

export interface ListedCheck extends CheckMeta {
  /** The suite file's path. */
  file: string;
}

/**
 * Collects the checks project (CONFORMANCE_ONLY) against one url: target, a stub on loopback that
 * the global setup finds healthy; nothing runs. Sets this process's CONFORMANCE_* variables.
 */
export async function listChecks(): Promise<ListedCheck[]> {
  const stub = await startStub();
  try {
    Object.assign(process.env, { CONFORMANCE_TARGETS: `url:${stub.url}`, CONFORMANCE_ONLY: "1", CONFORMANCE_WORKERS: "1" });
    delete process.env.CONFORMANCE_CHECKS;
    const vitest = await createVitest("test", { watch: false, reporters: [] });
    try {
      const { testModules, unhandledErrors } = await vitest.collect();
      if (unhandledErrors.length) throw new Error(`collecting the suite files failed: ${String(unhandledErrors[0])}`);
      const failed = testModules.find((m) => m.errors().length);
      if (failed) throw new Error(`${failed.moduleId}: ${failed.errors()[0]!.message}`);
      return testModules.flatMap((m) => [...m.children.allTests()].flatMap((t) => (t.meta().check ? [{ ...t.meta().check!, file: m.moduleId }] : [])));
    } finally {
      await vitest.close();
    }
  } finally {
    stub.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error("usage: tsx scripts/list-checks.ts <out.json>");
  writeFileSync(out, JSON.stringify(await listChecks()));
}
