// How much a run does at once, from what the machine can take. A run of 80 targets then puts no
// more load on the machine than a run of the bundled four: it is slower, never different.
import { availableParallelism, totalmem } from "node:os";
import type { RunLimits } from "./broker.js";
import { MEMORY_LIMIT_GIB } from "./docker.js";
import { UsageError } from "../base/usage-error.js";

/**
 * Targets checked at once per core. The bundled run checks 4 targets in 6 suite files at once (24
 * on 2 cores), most of them waiting on the contract's timers: the limit leaves that run as it is.
 */
const TARGETS_PER_CORE = 12;
/** Containers starting at once per core: a start costs the engine about 0.17 core-s. */
const STARTS_PER_CORE = 3;
/** The share of memory servers may take, each up to its container limit. */
const MEMORY_SHARE = 0.75;

/** The run's limits, and the one line that says how they were chosen. CONFORMANCE_AT_ONCE overrides the targets' limit. */
export function runLimits(targetCount: number, env = process.env, cores = availableParallelism(), memory = totalmem()): RunLimits & { line: string } {
  const byMemory = Math.max(1, Math.floor((memory * MEMORY_SHARE) / (MEMORY_LIMIT_GIB * 2 ** 30)));
  const chosen = Math.min(TARGETS_PER_CORE * cores, byMemory);
  const setting = env.CONFORMANCE_AT_ONCE?.trim();
  if (setting && !/^[1-9]\d*$/.test(setting)) throw new UsageError(`CONFORMANCE_AT_ONCE: "${setting}" is not a positive whole number of targets`);
  const targets = setting ? Number(setting) : chosen;
  const starts = STARTS_PER_CORE * cores;
  const why = setting
    ? `CONFORMANCE_AT_ONCE=${setting}; the machine's own limit is ${chosen}`
    : `${TARGETS_PER_CORE} per core on ${cores} cores, memory for ${byMemory} at ${MEMORY_LIMIT_GIB} GiB each; CONFORMANCE_AT_ONCE changes it`;
  const line = `${targetCount} target${targetCount === 1 ? "" : "s"}: at most ${targets} checked at once (${why}), ${starts} container starts at once`;
  return { targets, starts, line };
}
