// reports/implementations.json: one entry per target (what it is, its score, where its badges are),
// so that other sites can list the implementations with their badges. Shape:
// harness/schemas/implementations.schema.json. Paths are relative to the file itself.
import type { Report, ReportTarget } from "./types.js";
import { badgeName, passedProfiles, percent, slug, tally, targetBadge, type Tally } from "./badges.js";
import { OPTIONAL_PROFILES } from "../base/catalogue.js";

export const IMPLEMENTATIONS_FORMAT = "crud-conformance-implementations/1";

interface BadgeFiles {
  /** The SVG badge. */
  svg: string;
  /** shields.io endpoint JSON: https://img.shields.io/endpoint?url=<this file's absolute URL>. */
  endpoint: string;
}

export interface ImplementationEntry {
  name: string;
  kind: ReportTarget["kind"];
  language: string | null;
  framework: string | null;
  /** The framework's version (from the manifest). */
  version: string | null;
  homepage: string | null;
  image: string | null;
  imageId: string | null;
  url: string | null;
  profiles: { claimed: string[]; passed: string[]; optional: number };
  score: { core: Tally & { percent: number | null }; profiles: Record<string, Tally> };
  badge: BadgeFiles & { message: string; color: string; profiles: Record<string, BadgeFiles> };
  /** The target's card in the HTML report. */
  details: string;
}

export interface Implementations {
  format: typeof IMPLEMENTATIONS_FORMAT;
  suite: Report["suite"];
  generatedAt: string;
  implementations: ImplementationEntry[];
}

const files = (name: string): BadgeFiles => ({ svg: `badges/${name}.svg`, endpoint: `badges/${name}.json` });

export function implementations(report: Report): Implementations {
  return {
    format: IMPLEMENTATIONS_FORMAT,
    suite: report.suite,
    generatedAt: report.finishedAt,
    implementations: report.targets.map((t) => {
      const byProfile = tally(t.checks, "profile");
      const core = byProfile.get("core") ?? { passed: 0, failed: 0, skipped: 0, ran: 0 };
      const badge = targetBadge(t);
      return {
        name: t.name,
        kind: t.kind,
        language: t.manifest?.language ?? null,
        framework: t.manifest?.framework ?? null,
        version: t.manifest?.version ?? null,
        homepage: t.manifest?.homepage ?? null,
        image: t.image,
        imageId: t.imageId,
        url: t.url,
        profiles: { claimed: t.profiles, passed: passedProfiles(t), optional: OPTIONAL_PROFILES.length },
        score: { core: { ...core, percent: percent(core) }, profiles: Object.fromEntries(byProfile) },
        badge: {
          ...files(badgeName(t)),
          message: badge.message,
          color: badge.color,
          profiles: Object.fromEntries([...byProfile.keys()].map((p) => [p, files(badgeName(t, p))])),
        },
        details: `index.html#t-${slug(t.name)}`,
      };
    }),
  };
}
