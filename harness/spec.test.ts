// spec/openapi.yaml: lints clean with Redocly, and the generated types are up to date.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import openapiTS, { astToString } from "openapi-typescript";
import { ROOT } from "./manifest.js";

test("npm run lint:spec passes (Redocly CLI, no errors)", async () => {
  const { stdout, stderr } = await promisify(execFile)("npx", ["redocly", "lint", "spec/openapi.yaml", "--format=summary"], { cwd: ROOT });
  expect(`${stdout}${stderr}`).toMatch(/valid/i);
}, 60_000);

test("harness/generated/openapi.ts is up to date with the spec (npm run generate)", async () => {
  const ast = await openapiTS(new URL("../spec/openapi.yaml", import.meta.url));
  const committed = readFileSync(join(ROOT, "harness/generated/openapi.ts"), "utf8");
  const header = committed.slice(0, committed.indexOf("export"));
  expect(committed, "run `npm run generate` and commit the result").toBe(header + astToString(ast));
});
