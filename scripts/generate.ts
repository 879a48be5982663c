// `npm run generate`: writes every generated file of the checkout, each from its one source.
//   harness/generated/openapi.ts          spec/openapi.yaml (openapi-typescript)
//   test/check/__snapshots__/checks.tsv   the checks the suite files declare (scripts/list-checks.ts)
//   docs/coverage.md                      docs/coverage.json (scripts/coverage.ts)
//   harness/schemas/implementation.schema.json, its profile enum: harness/base/catalogue.ts
//   docs/adding-an-implementation.md, its profile table: the catalogue and the checks
// Never edit them by hand; the self-tests fail, naming this command, when one is stale. The
// renderers are exported for those tests.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { OPTIONAL_PROFILES, PROFILES } from "../harness/base/catalogue.js";
import { ROOT } from "../harness/base/paths.js";
import { readEntries, render } from "./coverage.js";
import { listChecks, type ListedCheck } from "./list-checks.js";

export const ID_SNAPSHOT = "test/check/__snapshots__/checks.tsv";
export const MANIFEST_SCHEMA = "harness/schemas/implementation.schema.json";
export const PROFILE_DOC = "docs/adding-an-implementation.md";

/** The id snapshot: "id, level, title" a line, sorted; a change to any of them shows in review. */
export const idSnapshot = (checks: Pick<ListedCheck, "id" | "level" | "title">[]) =>
  `${checks
    .map((c) => `${c.id}\t${c.level}\t${c.title}`)
    .sort()
    .join("\n")}\n`;

/** "`ERR-20`, `ERR-21`, `ID-50`–`ID-52`": ids in order, three or more in a row as a range. */
export function idRanges(ids: string[]): string {
  const parts = ids
    .map((id) => ({ id, stem: id.replace(/\d+$/, ""), n: Number(/\d+$/.exec(id)?.[0] ?? NaN) }))
    .sort((a, b) => a.stem.localeCompare(b.stem) || a.n - b.n);
  const runs: (typeof parts)[] = [];
  for (const p of parts) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && last.stem === p.stem && last.n + 1 === p.n) run.push(p);
    else runs.push([p]);
  }
  const code = (id: string) => `\`${id}\``;
  return runs.flatMap((r) => (r.length >= 3 ? [`${code(r[0]!.id)}–${code(r.at(-1)!.id)}`] : r.map((p) => code(p.id)))).join(", ");
}

/** The profiles a manifest can claim, and the combined ones: what each checks, and its checks. */
export function profileTable(checks: Pick<ListedCheck, "id" | "profile">[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const rows = PROFILES.filter((p) => p.kind !== "core").map((p) => {
    const ids = checks.filter((c) => c.profile === p.name).map((c) => c.id);
    return `| \`${p.name}\` | ${cell(p.description)} | ${ids.length ? idRanges(ids) : "none yet"} |`;
  });
  return ["| profile | what it checks | checks (each described in [docs/profiles.md](profiles.md)) |", "|---|---|---|", ...rows].join("\n");
}

const START = "<!-- generated: profiles";
const END = "<!-- /generated: profiles -->";

/** `doc` with the text between its profile-table markers replaced by `table`. */
export function withProfileTable(doc: string, table: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${PROFILE_DOC}: the markers "${START} ... -->" and "${END}" are missing`);
  const head = doc.indexOf("\n", start) + 1;
  return `${doc.slice(0, head)}${table}\n${doc.slice(end)}`;
}

/** The manifest schema's text with its profile enum set to the catalogue's optional profiles, its formatting kept. */
export function withProfileEnum(schema: string): string {
  const at = /("profiles":\s*\{[^}]*?"enum":\s*)\[[^\]]*\]/;
  if (!at.test(schema)) throw new Error(`${MANIFEST_SCHEMA}: no "enum" under "profiles"`);
  return schema.replace(at, (_, head: string) => `${head}${JSON.stringify(OPTIONAL_PROFILES).replace(/","/g, '", "')}`);
}

async function main() {
  const changed: string[] = [];
  const write = (file: string, text: string) => {
    const path = join(ROOT, file);
    if (readFileSync(path, "utf8") === text) return;
    writeFileSync(path, text);
    changed.push(file);
  };
  const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

  const types = "harness/generated/openapi.ts";
  const before = read(types);
  await promisify(execFile)(process.execPath, [join(ROOT, "node_modules/openapi-typescript/bin/cli.js"), "spec/openapi.yaml", "-o", types], { cwd: ROOT });
  if (read(types) !== before) changed.push(types);

  const checks = await listChecks();
  write(ID_SNAPSHOT, idSnapshot(checks));
  write("docs/coverage.md", render(readEntries()));
  write(MANIFEST_SCHEMA, withProfileEnum(read(MANIFEST_SCHEMA)));
  write(PROFILE_DOC, withProfileTable(read(PROFILE_DOC), profileTable(checks)));
  console.log(changed.length ? `wrote ${changed.join(", ")}` : "every generated file was up to date");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
