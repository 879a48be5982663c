import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../../harness/base/paths.js";
import type { Report } from "../../harness/report/types.js";
import { implementations, type Implementations } from "../../harness/report/implementations.js";
import { compileSchema } from "../../harness/report/schemas.js";
import { writeReports } from "../../harness/report/write.js";

const sample: Report = JSON.parse(readFileSync(join(ROOT, "fixtures/report/sample-conformance.json"), "utf8"));
const validate = compileSchema<Implementations>("implementations");

test("implementations.json: one entry per target, matching harness/schemas/implementations.schema.json", () => {
  const list = implementations(sample);
  expect(validate(list), JSON.stringify(validate.errors)).toBe(true);
  expect(list.implementations.map((i) => i.name)).toEqual(sample.targets.map((t) => t.name));
  const [axum, url] = list.implementations;
  expect(axum).toMatchObject({
    name: "rust-axum",
    kind: "implementation",
    language: "Rust",
    framework: "axum",
    version: "0.8.9",
    profiles: { claimed: ["recommended"], passed: ["recommended"], optional: 10 },
    score: { core: { passed: 6, failed: 0, skipped: 0, ran: 6, percent: 100 } },
    badge: {
      svg: "badges/rust-axum.svg",
      endpoint: "badges/rust-axum.json",
      message: "core 100% · 1/10 profiles",
      color: "brightgreen",
      profiles: { core: { svg: "badges/rust-axum-core.svg", endpoint: "badges/rust-axum-core.json" } },
    },
    details: "index.html#t-rust-axum",
  });
  expect(url).toMatchObject({ language: null, framework: null, version: null, url: "http://127.0.0.1:8080", score: { core: { percent: 40 } } });
});

test("the badge paths it names are the files writeReports writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "implementations-"));
  writeReports(structuredClone(sample), dir);
  const list: Implementations = JSON.parse(readFileSync(join(dir, "implementations.json"), "utf8"));
  expect(validate(list)).toBe(true);
  const paths = list.implementations.flatMap((i) => [i.badge.svg, i.badge.endpoint, ...Object.values(i.badge.profiles).flatMap((p) => [p.svg, p.endpoint])]);
  expect(paths.length).toBeGreaterThan(0);
  for (const p of paths) expect(existsSync(join(dir, p)), p).toBe(true);
});
