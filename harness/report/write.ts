// Writes <dir>/index.html and <dir>/badges/* from a conformance report.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHtml } from "./html.js";
import { writeBadges } from "./badges.js";
import type { Report } from "../report-types.js";

/** Writes the page and the badges; returns the written paths. */
export function writeReports(report: Report, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const page = join(dir, "index.html");
  writeFileSync(page, renderHtml(report));
  return [page, ...writeBadges(report, join(dir, "badges"))];
}
