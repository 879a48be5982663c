// A vitest setup file of the checks under `npm test`: the run's hooks (harness/check/check.ts) that
// turn the broken servers' targets (test/faults/faults.ts) into the suite's test of itself. Each
// starts with FAULT=<its fault> and runs only the checks aimed at it, which must fail for the
// reason fixtures/faults.json gives; `fault:none` runs every check, which must pass. Other targets
// are left to the run's own rules.
import { type CheckMeta, useHooks } from "../../harness/check/check.js";
import type { Target } from "../../harness/run/targets.js";
import { type Fault, FAULTS, reasonFor, targetName } from "./faults.js";

const NONE: Fault = { fault: "", what: "the fault-free server", checks: [], reason: {} };
const byTarget = new Map([[targetName("none"), NONE], ...FAULTS.map((f) => [targetName(f.fault), f] as const)]);

/** A listed check must fail, and for its reason; any other check that runs must pass. */
function judge(target: Target, meta: CheckMeta, error: unknown): boolean {
  const fault = byTarget.get(target.name);
  if (!fault) return false;
  const reason = fault.checks.includes(meta.id) ? reasonFor(fault, meta.id) : undefined;
  if (reason === undefined) {
    if (error) throw error;
    return true;
  }
  if (!error) throw new Error(`${meta.id} passed against ${target.name}: it cannot see the fault it is aimed at`);
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes(reason)) {
    throw new Error(`${meta.id} failed against ${target.name}, but for another reason: ${message} (expected one containing ${JSON.stringify(reason)})`);
  }
  return true;
}

useHooks({
  env: (target) => {
    const fault = byTarget.get(target.name);
    return fault && { FAULT: fault.fault };
  },
  runs: (target, id) => {
    const fault = byTarget.get(target.name);
    return !fault || fault === NONE || fault.checks.includes(id);
  },
  judge,
});
