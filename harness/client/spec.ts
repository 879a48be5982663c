// spec/openapi.yaml, parsed once per version of it: for the validator in every worker, and for
// the contract version the report names.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, ROOT } from "../base/paths.js";

// biome-ignore lint/suspicious/noExplicitAny: the spec is walked as plain JSON, whatever a node holds
export type Json = Record<string, any>;

/**
 * spec/openapi.yaml, parsed. Every worker of a run needs it, and parsing the YAML costs each of
 * them far more than reading JSON: the first to parse it leaves a JSON copy, named by the YAML's
 * hash, for the others.
 */
export async function loadSpec(): Promise<Json> {
  const yaml = readFileSync(join(ROOT, "spec/openapi.yaml"), "utf8");
  const copy = join(CACHE_DIR, `openapi-${createHash("sha256").update(yaml).digest("hex").slice(0, 16)}.json`);
  try {
    return JSON.parse(readFileSync(copy, "utf8"));
  } catch {
    const parsed: Json = (await import("yaml")).parse(yaml);
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(`${copy}.${process.pid}`, JSON.stringify(parsed));
    renameSync(`${copy}.${process.pid}`, copy);
    return parsed;
  }
}

/** The contract's version: the spec's `info.version`. */
export const contractVersion = async (): Promise<string> => String((await loadSpec()).info?.version ?? "unknown");
