// Writes one conformance badge per target, and one per profile, as SVG and as shields.io endpoint
// JSON (https://shields.io/badges/endpoint-badge), so a README can use either.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBadge } from "badge-maker";
import type { Report, ReportCheck, ReportTarget } from "./types.js";
import { OPTIONAL_PROFILES } from "../base/catalogue.js";

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** passed + failed: the checks that ran. */
  ran: number;
}

/** Counts outcomes per value of `by` (level or profile), in order of first appearance. */
export function tally(checks: ReportCheck[], by: "level" | "profile"): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const c of checks) {
    const t = out.get(c[by]) ?? { passed: 0, failed: 0, skipped: 0, ran: 0 };
    t[c.outcome]++;
    if (c.outcome !== "skipped") t.ran++;
    out.set(c[by], t);
  }
  return out;
}

/** Lowercased, with every character outside [a-z0-9._-] replaced by "-": "url:http://x" -> "url-http---x". */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]/g, "-");
}

/** brightgreen at 100%, yellow from 80%, red below; lightgrey when nothing ran. */
export function colorFor(passed: number, ran: number): string {
  if (ran === 0) return "lightgrey";
  const pct = (passed / ran) * 100;
  return pct === 100 ? "brightgreen" : pct >= 80 ? "yellow" : "red";
}

export interface Badge {
  label: string;
  message: string;
  color: string;
}

/** "core 100% · 1/10 profiles": core pass rate over the core checks that ran, and the optional
 * profiles (claimed or not) in which at least one check ran and none failed. */
export function targetBadge(target: ReportTarget): Badge {
  const core = tally(target.checks, "profile").get("core");
  const pct = percent(core);
  return {
    label: "conformance",
    message: `core ${pct === null ? "n/a" : `${pct}%`} · ${passedProfiles(target).length}/${OPTIONAL_PROFILES.length} profiles`,
    color: colorFor(core?.passed ?? 0, core?.ran ?? 0),
  };
}

/** passed / ran in whole percent, floored so that 100 means every check passed; null when none ran. */
export function percent(t: Tally | undefined): number | null {
  return t?.ran ? Math.floor((t.passed / t.ran) * 100) : null;
}

/** The optional profiles (claimed or not) in which at least one check ran and none failed. */
export function passedProfiles(target: ReportTarget): string[] {
  const byProfile = tally(target.checks, "profile");
  return OPTIONAL_PROFILES.filter((p) => {
    const t = byProfile.get(p);
    return t !== undefined && t.ran > 0 && t.failed === 0;
  });
}

/** "core | 112/112": passed over ran, for every profile the target has checks in. */
export function profileBadges(target: ReportTarget): Map<string, Badge> {
  const out = new Map<string, Badge>();
  for (const [profile, t] of tally(target.checks, "profile")) {
    out.set(profile, { label: profile, message: t.ran ? `${t.passed}/${t.ran}` : "not run", color: colorFor(t.passed, t.ran) });
  }
  return out;
}

function write(dir: string, base: string, badge: Badge): string[] {
  const svg = join(dir, `${base}.svg`);
  const json = join(dir, `${base}.json`);
  writeFileSync(svg, makeBadge(badge));
  writeFileSync(json, `${JSON.stringify({ schemaVersion: 1, ...badge })}\n`);
  return [svg, json];
}

/** The file name (without .svg or .json) of a target's badge, or of one of its profile badges. */
export const badgeName = (target: ReportTarget, profile?: string) => (profile ? `${slug(target.name)}-${slug(profile)}` : slug(target.name));

/** Writes <slug>.svg/.json and <slug>-<profile>.svg/.json for every target; returns the paths. */
export function writeBadges(report: Report, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const target of report.targets) {
    paths.push(...write(dir, badgeName(target), targetBadge(target)));
    for (const [profile, badge] of profileBadges(target)) paths.push(...write(dir, badgeName(target, profile), badge));
  }
  return paths;
}
