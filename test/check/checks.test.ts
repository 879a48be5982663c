// Meta-tests over the checks themselves: ids are unique and permanent (snapshotted), titles start
// with their level, and fixtures/faults.json aims a broken server at every check.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FAULTS, reasonFor } from "../faults/faults.js";
import { SUITE_OF_PREFIX } from "../../harness/base/catalogue.js";
import { startStub, VITEST_BIN } from "../helpers/stub-server.js";

/** One line of `vitest list --json`: the test's name is "<target> > <id> <title>", and the title starts with its level. */
interface Listed {
  name: string;
  file: string;
}

let checks: { id: string; level: string; title: string; file: string }[] = [];
let stub: Awaited<ReturnType<typeof startStub>>;

beforeAll(async () => {
  // `vitest list` runs the global setup, which wants a healthy server: give it a stub on loopback.
  stub = await startStub();
  const out = join(mkdtempSync(join(tmpdir(), "checks-")), "list.json");
  await promisify(execFile)(process.execPath, [VITEST_BIN, "list", `--json=${out}`], {
    env: { ...process.env, CONFORMANCE_TARGETS: `url:${stub.url}`, CONFORMANCE_ONLY: "1", CONFORMANCE_WORKERS: "1" },
  });
  const listed: Listed[] = JSON.parse(readFileSync(out, "utf8"));
  checks = listed.map(({ name, file }) => {
    const test = name.slice(name.indexOf(" > ") + 3);
    const [id, level] = test.split(" ");
    return { id: id!, level: level!, title: test.slice(id!.length + 1), file };
  });
}, 60_000);
afterAll(() => stub?.close());

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
      expect(c.file, c.id).toMatch(new RegExp(`suites/${SUITE_OF_PREFIX[c.id.split("-")[0]!]}\\.test\\.ts$`));
      expect(["MUST", "SHOULD", "MAY"], c.id).toContain(c.level);
    }
  });

  test("ids, levels and titles are permanent: a change shows in review", async () => {
    const table = checks.map((c) => `${c.id}\t${c.level}\t${c.title}`).sort().join("\n");
    await expect(`${table}\n`).toMatchFileSnapshot("./__snapshots__/checks.tsv");
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
        .filter(([, r]) => r === undefined || r.trim().length < 8 || r.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).every((w) => generic.has(w)))
        .map(([id, r]) => `${f.fault} ${id}: ${JSON.stringify(r ?? null)}`),
    );
    expect(weak, "each needs a reason that only its fault gives (fixtures/faults.json)").toEqual([]);
  });
});
