// The suite's test of itself: fixtures/broken is one server with one fault per FAULT value, and
// fixtures/faults.json lists, for each fault, the checks that must fail against it and why.
// Each fault becomes a target that runs only those checks and passes when they fail for that
// reason; `fault:none` runs every check against the fault-free server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./manifest.js";
import { implementationTarget, type Target } from "./targets.js";
import { UsageError } from "./usage-error.js";

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
  CORS: "cors",
  GZIP: "compression",
  RID: "request-id",
  COND: "conditional",
  H2: "http2",
  TLS: "tls",
  WS: "websocket",
  SLOW: "slow-client",
};

/**
 * The broken servers as targets. CONFORMANCE_FAULTS: "all" (the default), "none" (skip the suite's
 * self-test), or a list of fault names. `fault:none` runs every check against the fault-free server;
 * each fault runs only the checks aimed at it.
 */
export function faultTargets(spec = process.env.CONFORMANCE_FAULTS ?? "all"): Target[] {
  if (spec === "none") return [];
  const names = spec === "all" ? FAULTS.map((f) => f.fault) : spec.split(",").map((s) => s.trim()).filter(Boolean);
  const base = implementationTarget(join(ROOT, "fixtures/broken"));
  const reference: Target = { ...base, name: "fault:none", env: { FAULT: "" }, faults: {} };
  return [
    reference,
    ...names.map((name): Target => {
      const fault = FAULTS.find((f) => f.fault === name);
      if (!fault) throw new UsageError(`CONFORMANCE_FAULTS: unknown fault "${name}"; see fixtures/faults.json`);
      return {
        ...base,
        name: `fault:${name}`,
        env: { FAULT: name },
        checks: fault.checks,
        faults: Object.fromEntries(fault.checks.map((id) => [id, reasonFor(fault, id)!])),
      };
    }),
  ];
}
