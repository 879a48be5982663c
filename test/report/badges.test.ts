import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBadge } from "badge-maker";
import { test, expect } from "vitest";
import type { Report } from "../../harness/report/types.js";
import { colorFor, profileBadges, slug, targetBadge, writeBadges } from "../../harness/report/badges.js";
import { OPTIONAL_PROFILES } from "../../harness/base/catalogue.js";

const sample: Report = JSON.parse(readFileSync(new URL("../../fixtures/report/sample-conformance.json", import.meta.url), "utf8"));
const [axum, url] = sample.targets as [Report["targets"][number], Report["targets"][number]];

test("the contract has 10 optional profiles", () => {
  expect(OPTIONAL_PROFILES).toHaveLength(10);
});

test("slug keeps [a-z0-9._-] and replaces everything else", () => {
  expect(slug("rust-axum")).toBe("rust-axum");
  expect(slug("url:http://127.0.0.1:8080")).toBe("url-http---127.0.0.1-8080");
  expect(slug("image:foo:1")).toBe("image-foo-1");
});

test("colors: brightgreen at 100%, yellow from 80%, red below, lightgrey when nothing ran", () => {
  expect([colorFor(5, 5), colorFor(4, 5), colorFor(79, 100), colorFor(0, 0)]).toEqual(["brightgreen", "yellow", "red", "lightgrey"]);
});

test("target badge: core pass rate over the checks that ran, and fully passing optional profiles", () => {
  expect(targetBadge(axum)).toEqual({ label: "conformance", message: "core 100% · 1/10 profiles", color: "brightgreen" });
  // core: RES-01, RES-04 passed; ERR-01, ERR-02, RES-03 failed; RES-02 skipped -> 2/5; recommended has a failure.
  expect(targetBadge(url)).toEqual({ label: "conformance", message: "core 40% · 0/10 profiles", color: "red" });
});

test("profile badges: passed over ran", () => {
  expect(Object.fromEntries(profileBadges(axum))).toEqual({
    core: { label: "core", message: "6/6", color: "brightgreen" },
    recommended: { label: "recommended", message: "3/3", color: "brightgreen" },
  });
  expect(profileBadges(url).get("recommended")).toEqual({ label: "recommended", message: "1/2", color: "red" });
});

test("writeBadges writes SVG and shields.io endpoint JSON per target and per profile", () => {
  const dir = mkdtempSync(join(tmpdir(), "badges-"));
  const paths = writeBadges(sample, dir);
  const names = [
    "rust-axum",
    "rust-axum-core",
    "rust-axum-recommended",
    "url-http---127.0.0.1-8080",
    "url-http---127.0.0.1-8080-core",
    "url-http---127.0.0.1-8080-recommended",
  ];
  const files = names.flatMap((n) => [`${n}.svg`, `${n}.json`]);
  expect(readdirSync(dir).sort()).toEqual([...files].sort());
  expect(paths.map((p) => p.slice(dir.length + 1)).sort()).toEqual([...files].sort());
  expect(JSON.parse(readFileSync(join(dir, "rust-axum.json"), "utf8"))).toEqual({
    schemaVersion: 1,
    label: "conformance",
    message: "core 100% · 1/10 profiles",
    color: "brightgreen",
  });
  const svg = readFileSync(join(dir, "rust-axum-core.svg"), "utf8");
  expect(svg).toMatch(/^<svg /);
  expect(svg).toContain("<title>core: 6/6</title>");
  expect(svg).toBe(makeBadge({ label: "core", message: "6/6", color: "brightgreen" }));
});
