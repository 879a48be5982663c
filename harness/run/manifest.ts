// Reads and validates implementations/<name>/implementation.json.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { UsageError } from "../base/usage-error.js";

export interface Manifest {
  name: string;
  language: string;
  framework: string;
  version: string;
  homepage: string;
  source: string;
  build: string;
  dockerfile: string;
  profiles: string[];
}

import { ROOT } from "../base/paths.js";
export const IMPLEMENTATIONS_DIR = join(ROOT, "implementations");
let compiled: ValidateFunction<Manifest> | undefined;
/** Compiled on first use: a worker that runs checks never reads a manifest. */
function validate(data: unknown): data is Manifest {
  compiled ??= new Ajv2020({ allErrors: false, strict: true }).compile<Manifest>(
    JSON.parse(readFileSync(join(ROOT, "harness/schemas/implementation.schema.json"), "utf8")),
  );
  return compiled(data);
}

/** Loads one manifest; a broken one is a one-line UsageError naming the file and the field. */
export function loadManifest(dir: string): Manifest {
  const file = relative(process.cwd(), join(dir, "implementation.json"));
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(dir, "implementation.json"), "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!validate(data)) {
    const err = compiled!.errors![0]!;
    const missing = err.params && "missingProperty" in err.params ? `/${String(err.params.missingProperty)}` : "";
    const extra = err.params && "additionalProperty" in err.params ? `/${String(err.params.additionalProperty)}` : "";
    const field = `${err.instancePath}${missing}${extra}` || "(root)";
    throw new UsageError(`${file}: field "${field}" ${err.message}; see harness/schemas/implementation.schema.json`);
  }
  const folder = dir.split("/").pop();
  if (data.name !== folder) {
    throw new UsageError(`${file}: field "/name" is "${data.name}" but must equal the folder name "${folder}"`);
  }
  if (!existsSync(join(dir, data.dockerfile))) {
    throw new UsageError(`${file}: field "/dockerfile" names ${data.dockerfile}, which does not exist`);
  }
  return data;
}

/** Folder names under implementations/ that hold a manifest, sorted. */
export function implementationNames(): string[] {
  if (!existsSync(IMPLEMENTATIONS_DIR)) return [];
  return readdirSync(IMPLEMENTATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(IMPLEMENTATIONS_DIR, d.name, "implementation.json")))
    .map((d) => d.name)
    .sort();
}
