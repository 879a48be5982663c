// The suite's test of itself: fixtures/broken is one server with one fault per FAULT value, and
// fixtures/faults.json lists, for each fault, the checks that must fail against it and why.
// Each fault becomes a target (vitest.config.ts adds them under `npm test`) that runs only those
// checks and passes when they fail for that reason (test/faults/setup.ts); `fault:none` runs every
// check against the fault-free server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../harness/base/paths.js";
import { implementationTarget, type Target } from "../../harness/run/targets.js";
import { UsageError } from "../../harness/base/usage-error.js";

export interface Fault {
  fault: string;
  what: string;
  checks: string[];
  /** Text each listed check's failure reason must contain: one for all of them, or one per check id. */
  reason: string | Record<string, string>;
}

/** The text `check`'s failure against `fault` must contain. */
export const reasonFor = (fault: Fault, check: string): string | undefined => (typeof fault.reason === "string" ? fault.reason : fault.reason[check]);

export const FAULTS: Fault[] = JSON.parse(readFileSync(join(ROOT, "fixtures/faults.json"), "utf8")).faults;

/** The target that runs `fault` (`fault:none`: the fault-free server, every check). */
export const targetName = (fault: string) => `fault:${fault}`;

/**
 * The broken servers as targets. CONFORMANCE_FAULTS: "all" (the default), "none" (skip the suite's
 * self-test), or a list of fault names. `fault:none` runs every check against the fault-free server;
 * each fault runs only the checks aimed at it (test/faults/setup.ts).
 */
export function faultTargets(spec = process.env.CONFORMANCE_FAULTS ?? "all"): Target[] {
  if (spec === "none") return [];
  const names =
    spec === "all"
      ? FAULTS.map((f) => f.fault)
      : spec
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  const base = implementationTarget(join(ROOT, "fixtures/broken"));
  for (const name of names) {
    if (!FAULTS.some((f) => f.fault === name)) throw new UsageError(`CONFORMANCE_FAULTS: unknown fault "${name}"; see fixtures/faults.json`);
  }
  return ["none", ...names].map((name) => ({ ...base, name: targetName(name) }));
}
