// Meta-tests over the checks themselves: ids are unique and permanent (snapshotted), each file and
// id prefix is where harness/base/catalogue.ts says, the files generated from the checks are
// current, and fixtures/faults.json aims a broken server at every check.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { FAULTS, reasonFor } from "../faults/faults.js";
import { LEVELS, SECTION_ORDER, SUITE_OF_PREFIX } from "../../harness/base/catalogue.js";
import { prefixOf } from "../../harness/base/selection.js";
import { ROOT } from "../../harness/base/paths.js";
import type { ListedCheck } from "../../scripts/list-checks.js";
import { ID_SNAPSHOT, idSnapshot, PROFILE_DOC, profileTable, withProfileTable } from "../../scripts/generate.js";

let checks: ListedCheck[] = [];

beforeAll(async () => {
  // scripts/list-checks.ts collects the checks with vitest's node API, in a process of its own.
  const out = join(mkdtempSync(join(tmpdir(), "checks-")), "list.json");
  await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "scripts/list-checks.ts"), out], { cwd: ROOT });
  checks = JSON.parse(readFileSync(out, "utf8"));
}, 60_000);

describe("checks", () => {
  test("there are checks in every suite file", () => {
    const files = new Set(checks.map((c) => c.file.replace(/.*suites\/(.*)\.test\.ts$/, "$1")));
    expect([...files].sort()).toEqual(Object.values(SUITE_OF_PREFIX).sort());
  });

  test("ids are unique", () => {
    const seen = new Map<string, number>();
    for (const c of checks) seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([id]) => id)).toEqual([]);
  });

  test("each id's prefix names its suite file, and each level is MUST, SHOULD or MAY", () => {
    for (const c of checks) {
      expect(c.file, c.id).toMatch(new RegExp(`suites/${SUITE_OF_PREFIX[prefixOf(c.id)]}\\.test\\.ts$`));
      expect(LEVELS, c.id).toContain(c.level);
    }
  });

  test("every section of the catalogue is cited by a check", () => {
    const cited = new Set<string>(checks.map((c) => c.section));
    const uncited = SECTION_ORDER.filter((s) => !cited.has(s));
    if (uncited.length) expect.fail(`no check cites "${uncited.join('", "')}" of harness/base/catalogue.ts's SECTIONS: write one, or drop the section there`);
  });

  test("ids, levels and titles are permanent: a change shows in review", async () => {
    await expect(idSnapshot(checks), "the id snapshot is stale: run npm run generate").toMatchFileSnapshot(join(ROOT, ID_SNAPSHOT));
  });

  test(`the profile table of ${PROFILE_DOC} is generated from the catalogue and the checks`, () => {
    const doc = readFileSync(join(ROOT, PROFILE_DOC), "utf8");
    if (doc !== withProfileTable(doc, profileTable(checks))) expect.fail(`${PROFILE_DOC}'s profile table is stale: run npm run generate`);
  });
});

describe("broken servers (fixtures/faults.json)", () => {
  test("every check is aimed at by at least one fault", () => {
    const aimed = new Set(FAULTS.flatMap((f) => f.checks));
    expect(checks.map((c) => c.id).filter((id) => !aimed.has(id))).toEqual([]);
  });

  test("every fault aims at checks that exist, and fault names are unique", () => {
    const ids = new Set(checks.map((c) => c.id));
    expect(FAULTS.flatMap((f) => f.checks.filter((id) => !ids.has(id)).map((id) => `${f.fault}: ${id}`))).toEqual([]);
    expect(new Set(FAULTS.map((f) => f.fault)).size).toBe(FAULTS.length);
  });

  test("every check a fault aims at has a reason of its own: 8 characters at least, more than words most failures hold", () => {
    // Words that almost every failure message contains: a reason made of them alone shows a check
    // failing, not failing for the fault's reason.
    const generic = new Set(["expected", "status", "is", "body", "user", "not", "the", "a"]);
    const weak = FAULTS.flatMap((f) =>
      f.checks
        .map((id) => [id, reasonFor(f, id)] as const)
        .filter(
          ([, r]) =>
            r === undefined ||
            r.trim().length < 8 ||
            r
              .toLowerCase()
              .split(/[^a-z0-9]+/)
              .filter(Boolean)
              .every((w) => generic.has(w)),
        )
        .map(([id, r]) => `${f.fault} ${id}: ${JSON.stringify(r ?? null)}`),
    );
    expect(weak, "each needs a reason that only its fault gives (fixtures/faults.json)").toEqual([]);
  });
});
