// A vitest reporter that writes reports/conformance.json: one entry per target, one entry per check.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import type { Target } from "../run/targets.js";
import type { Report, ReportCheck, ReportTarget } from "./types.js";
import { ROOT } from "../base/paths.js";
import { writeReports } from "./write.js";
import { addReproducers } from "./reproduce.js";
import { contractVersion } from "../client/spec.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

function imageId(image: string | undefined): string | null {
  if (!image) return null;
  try {
    return execFileSync("docker", ["image", "inspect", "--format", "{{.Id}}", image], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return null;
  }
}

export default class ConformanceReporter implements Reporter {
  private startedAt = new Date();
  /**
   * `targets`: the names of the targets the report covers (vitest.config.ts); a run may check
   * others that are no part of it, such as the suite's own broken servers under `npm test`.
   */
  constructor(private readonly options: { outputDir: string; targets: string[] }) {}

  onTestRunStart() {
    this.startedAt = new Date();
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const targets = new Map<string, ReportTarget>();
    const order = ((modules[0]?.project.config.provide?.targets ?? []) as Target[]).map((t) => t.name);
    for (const module of modules) {
      const known = new Map(((module.project.config.provide?.targets ?? []) as Target[]).map((t) => [t.name, t]));
      for (const test of module.children.allTests()) {
        const { check, result, target: name } = test.meta();
        const target = name === undefined ? undefined : known.get(name);
        if (!check || !target || !this.options.targets.includes(target.name)) continue;
        let entry = targets.get(target.name);
        if (!entry) {
          entry = {
            name: target.name,
            kind: target.kind,
            image: target.image ?? null,
            imageId: imageId(target.image),
            url: target.url ?? null,
            manifest: target.manifest ?? null,
            profiles: target.profiles,
            checks: [],
          };
          targets.set(target.name, entry);
        }
        const outcome = test.result();
        const fallback =
          outcome.state === "skipped" || outcome.state === "pending"
            ? { outcome: "skipped" as const, reason: "not run" }
            : outcome.state === "failed"
              ? { outcome: "failed" as const, reason: outcome.errors[0]?.message.split("\n")[0] ?? "failed", gating: true }
              : { outcome: "passed" as const };
        const entryCheck: ReportCheck = { ...check, ...(result ?? fallback) };
        const duration = test.diagnostic()?.duration;
        if (duration !== undefined) entryCheck.durationMs = Math.max(0, Math.round(duration - (entryCheck.waitMs ?? 0)));
        entry.checks.push(entryCheck);
      }
    }
    if (!targets.size) return;
    const report: Report = {
      suite: { name: pkg.name, version: pkg.version, contract: await contractVersion() },
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      targets: [...targets.values()]
        .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
        .map((t) => ({ ...t, checks: t.checks.sort((a, b) => a.id.localeCompare(b.id)) })),
    };
    addReproducers(report); // every failure carries its curl lines (`reproduce`)
    mkdirSync(this.options.outputDir, { recursive: true });
    writeFileSync(join(this.options.outputDir, "conformance.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeReports(report, this.options.outputDir, { historyDir: process.env.CONFORMANCE_HISTORY_DIR, appendHistory: true });
  }
}
