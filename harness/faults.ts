// The suite's test of itself: fixtures/broken is one server with one fault per FAULT value, and
// fixtures/faults.json lists, for each fault, the checks that must fail against it and why.
// Each fault becomes a vitest project that runs only those checks and passes when they fail
// for that reason; `fault:none` runs every check against the fault-free server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./manifest.js";
import { implementationTarget, type Target } from "./targets.js";
import { UsageError } from "./usage-error.js";

export interface Fault {
  fault: string;
  what: string;
  checks: string[];
  /** Text every listed check's failure reason must contain ("" for any reason). */
  reason: string;
}

export const FAULTS: Fault[] = JSON.parse(readFileSync(join(ROOT, "fixtures/faults.json"), "utf8")).faults;

/** Which suite file holds a check, from its id's prefix. */
export const SUITE_OF_PREFIX: Record<string, string> = {
  RES: "resource",
  PAG: "pagination",
  ID: "ids",
  MTH: "methods",
  BODY: "bodies",
  VAL: "validation",
  ERR: "errors",
  CON: "concurrency",
  SHUT: "shutdown",
  SEQ: "sequences",
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface FaultProject {
  target: Target;
  include: string[];
  testNamePattern?: string;
}

/** CONFORMANCE_FAULTS: "all" (the default), "none" (skip the suite's self-test), or a list of fault names. */
export function faultProjects(spec = process.env.CONFORMANCE_FAULTS ?? "all"): FaultProject[] {
  if (spec === "none") return [];
  const names = spec === "all" ? FAULTS.map((f) => f.fault) : spec.split(",").map((s) => s.trim()).filter(Boolean);
  const base = implementationTarget(join(ROOT, "fixtures/broken"));
  const reference: FaultProject = { target: { ...base, name: "fault:none", env: { FAULT: "" }, faults: {} }, include: ["suites/**/*.test.ts"] };
  return [
    reference,
    ...names.map((name) => {
      const fault = FAULTS.find((f) => f.fault === name);
      if (!fault) throw new UsageError(`CONFORMANCE_FAULTS: unknown fault "${name}"; see fixtures/faults.json`);
      const files = new Set(fault.checks.map((id) => SUITE_OF_PREFIX[id.split("-")[0]!]));
      return {
        target: { ...base, name: `fault:${name}`, env: { FAULT: name }, faults: Object.fromEntries(fault.checks.map((id) => [id, fault.reason])) },
        include: [...files].map((f) => `suites/${f}.test.ts`),
        testNamePattern: `^(${fault.checks.map(escape).join("|")}) `,
      };
    }),
  ];
}
