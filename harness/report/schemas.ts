// The JSON Schemas of the report's files (harness/schemas/*.schema.json), compiled strict, with formats.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { ROOT } from "../base/paths.js";

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Compiles harness/schemas/<name>.schema.json. */
export function compileSchema<T>(name: string): ValidateFunction<T> {
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  addFormats(ajv);
  return ajv.compile<T>(JSON.parse(readFileSync(join(ROOT, `harness/schemas/${name}.schema.json`), "utf8")));
}
