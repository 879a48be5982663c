// reports/conformance.json has a published schema (harness/schemas/conformance.schema.json): the samples
// the report tests render hold to it, and name only checks that exist, with their real levels and
// titles. The reporter's own output is held to it in test/report/run.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../../harness/base/paths.js";
import type { Report } from "../../harness/report/types.js";
import { compileSchema } from "../../harness/report/schemas.js";

const validate = compileSchema<Report>("conformance");
const SAMPLES = ["fixtures/report/sample-conformance.json", "fixtures/report/one-failure/conformance.json"];
const real = new Map(
  readFileSync(join(ROOT, "test/check/__snapshots__/checks.tsv"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t") as [string, string, string])
    .map(([id, level, title]) => [id, `${level}\t${title}`]),
);

test.each(SAMPLES)("%s matches harness/schemas/conformance.schema.json and names real checks", (file) => {
  const report: unknown = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
  expect(validate(report) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  const made = (report as Report).targets.flatMap((t) => t.checks).filter((c) => real.get(c.id) !== `${c.level}\t${c.title}`);
  expect(
    made.map((c) => `${c.id} ${c.level} ${c.title}`),
    "checks.tsv has each id with this level and title",
  ).toEqual([]);
});
