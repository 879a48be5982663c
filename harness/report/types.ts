// The shape of reports/conformance.json (also read by the HTML page and the badges).
import type { CheckMeta, CheckResult } from "../check/check.js";
import type { Manifest } from "../run/manifest.js";
import type { TargetKind } from "../run/targets.js";

export interface ReportCheck extends CheckMeta, CheckResult {
  /** The check's own time: its requests, without `waitMs`, the wait for a server. */
  durationMs?: number;
  /**
   * On a failed check: POSIX shell lines that replay its recorded exchanges with curl (comments
   * start with "#"; the first command sets BASE, the target's base URL). See harness/report/reproduce.ts.
   */
  reproduce?: string[];
}

export interface ReportTarget {
  name: string;
  kind: TargetKind;
  image: string | null;
  /** The image's content digest (sha256:...), when the engine knows it. */
  imageId: string | null;
  url: string | null;
  manifest: Manifest | null;
  profiles: string[];
  checks: ReportCheck[];
}

export interface Report {
  suite: { name: string; version: string; contract: string };
  startedAt: string;
  finishedAt: string;
  targets: ReportTarget[];
}
