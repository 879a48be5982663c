// Writes <dir>/index.html, <dir>/implementations.json and <dir>/badges/* from a conformance report,
// and, with a history folder, appends the run to it and reads it back for the page.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHtml } from "./html.js";
import { writeBadges } from "./badges.js";
import { appendHistory, readHistory, type History } from "./history.js";
import { implementations } from "./implementations.js";
import { addReproducers } from "./reproduce.js";
import type { Report } from "./types.js";
import { UsageError } from "../base/usage-error.js";

export interface WriteOptions {
  /** CONFORMANCE_HISTORY_DIR: the folder of past runs (one JSON file per run). */
  historyDir?: string;
  /** Add this run to the history folder (the reporter does; `npm run report` only reads it). */
  appendHistory?: boolean;
}

/** Writes the page, implementations.json and the badges (and the history file); returns the written paths. */
export function writeReports(report: Report, dir: string, options: WriteOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  addReproducers(report);
  const written: string[] = [];
  let history: History | undefined;
  if (options.historyDir) {
    try {
      if (options.appendHistory) written.push(appendHistory(report, options.historyDir));
      history = readHistory(options.historyDir);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      console.error(`crud-conformance: ${e.message}`);
    }
    for (const line of history?.skipped ?? []) console.error(`crud-conformance: history: left out ${line}`);
  }
  const page = join(dir, "index.html");
  writeFileSync(page, renderHtml(report, { history, bench: existsSync(join(dir, "bench.html")) }));
  const list = join(dir, "implementations.json");
  writeFileSync(list, `${JSON.stringify(implementations(report), null, 2)}\n`);
  return [page, list, ...written, ...writeBadges(report, join(dir, "badges"))];
}
