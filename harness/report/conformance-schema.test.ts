// reports/conformance.json has a published schema (harness/conformance.schema.json): the samples
// the report tests render hold to it, and name only checks that exist, with their real levels and
// titles. The reporter's own output is held to it in harness/run.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../manifest.js";
import type { Report } from "../report-types.js";
import { compileSchema } from "./schemas.js";

const validate = compileSchema<Report>("conformance");
const SAMPLES = ["fixtures/report/sample-conformance.json", "fixtures/report/one-failure/conformance.json"];
const real = new Map(
  readFileSync(join(ROOT, "harness/__snapshots__/checks.tsv"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t") as [string, string, string])
    .map(([id, level, title]) => [id, `${level}\t${title}`]),
);

test.each(SAMPLES)("%s matches harness/conformance.schema.json and names real checks", (file) => {
  const report: unknown = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
  expect(validate(report) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  const made = (report as Report).targets.flatMap((t) => t.checks).filter((c) => real.get(c.id) !== `${c.level}\t${c.title}`);
  expect(made.map((c) => `${c.id} ${c.level} ${c.title}`), "checks.tsv has each id with this level and title").toEqual([]);
});
