// harness/base/catalogue.ts against what it catalogues: the contract's headings and its table of
// optional profiles, the suite files, and the manifest schema generated from it. Each mismatch
// fails in one line that names what is missing and where.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { marked, type Tokens } from "marked";
import { describe, expect, test } from "vitest";
import { OPTIONAL_PROFILES, PROFILES, SECTIONS, SECTION_ORDER } from "../../harness/base/catalogue.js";
import { ROOT } from "../../harness/base/paths.js";
import { MANIFEST_SCHEMA, withProfileEnum } from "../../scripts/generate.js";

const CONTRACT = "docs/api-contract.md";
const CATALOGUE = "harness/base/catalogue.ts";

/**
 * How two ordered lists of names disagree, one line each: names one of them lacks, then (with the
 * same names in both) the first place where their order differs.
 */
function disagreements(what: string, source: { where: string; names: readonly string[] }, catalogue: { where: string; names: readonly string[] }): string[] {
  const missing = source.names
    .filter((n) => !catalogue.names.includes(n))
    .map((n) => `${source.where} has ${what} "${n}", which ${catalogue.where} lacks: add it there, in contract order`);
  const extra = catalogue.names
    .filter((n) => !source.names.includes(n))
    .map((n) => `${catalogue.where} has ${what} "${n}", which ${source.where} does not: rename or remove it`);
  if (missing.length || extra.length) return [...missing, ...extra];
  const at = catalogue.names.findIndex((n, i) => n !== source.names[i]);
  return at < 0
    ? []
    : [`${catalogue.where} lists ${what} "${catalogue.names[at]}" where ${source.where} has "${source.names[at]}": follow the contract's order`];
}

/** Fails with the first problem, and how many more there are, in one line. */
const agree = (problems: string[]) => {
  if (problems.length) expect.fail(`${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`);
};

const tokens = marked.lexer(readFileSync(join(ROOT, CONTRACT), "utf8"));
/** The contract's headings below its title, in its order. */
const headings = tokens.flatMap((t) => (t.type === "heading" && (t as Tokens.Heading).depth > 1 ? [(t as Tokens.Heading).text] : []));
/** The first column of the table under "Optional profiles", without its backquotes. */
function contractProfiles(): string[] {
  const from = tokens.findIndex((t) => t.type === "heading" && (t as Tokens.Heading).text === "Optional profiles");
  const table = tokens.slice(from).find((t): t is Tokens.Table => t.type === "table");
  return table?.rows.map((row) => row[0]!.text.replace(/`/g, "")) ?? [];
}

describe(`${CATALOGUE} and the contract`, () => {
  test("its sections are the contract's headings, in the contract's order", () => {
    agree(disagreements("heading", { where: CONTRACT, names: headings }, { where: `${CATALOGUE}'s SECTIONS`, names: SECTION_ORDER }));
  });

  test("its optional profiles are the rows of the contract's table of optional profiles, in its order", () => {
    agree(
      disagreements(
        "profile",
        { where: `${CONTRACT}'s table of optional profiles`, names: contractProfiles() },
        { where: `${CATALOGUE}'s optional PROFILES`, names: OPTIONAL_PROFILES },
      ),
    );
  });

  test("a combined profile joins optional ones", () => {
    const optional: readonly string[] = OPTIONAL_PROFILES;
    agree(
      PROFILES.filter((p) => p.kind === "combined" && !p.name.split("+").every((part) => optional.includes(part))).map(
        (p) => `${CATALOGUE}: combined profile "${p.name}" must join optional profiles with "+"`,
      ),
    );
  });
});

describe(`${CATALOGUE} and what derives from it`, () => {
  test("every suite file is in its section, and its section(...) names that heading", () => {
    const files = readdirSync(join(ROOT, "suites"))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => f.replace(/\.test\.ts$/, ""));
    const sectionOf = new Map<string, string>(SECTIONS.flatMap((s) => Object.values(s.suites).map((file): [string, string] => [file, s.heading])));
    agree([
      ...files
        .filter((f) => !sectionOf.has(f))
        .map((f) => `suites/${f}.test.ts is in no section of ${CATALOGUE}: add its id prefix and file under the heading its section(...) names`),
      ...[...sectionOf.keys()]
        .filter((f) => !files.includes(f))
        .map((f) => `${CATALOGUE} names suites/${f}.test.ts, which does not exist: fix the file name or remove it`),
      ...files.flatMap((f) => {
        const named = /\bsection\("([^"]+)"/.exec(readFileSync(join(ROOT, "suites", `${f}.test.ts`), "utf8"))?.[1];
        const listed = sectionOf.get(f);
        return listed && named !== listed
          ? [`suites/${f}.test.ts calls section(${JSON.stringify(named ?? null)}), but ${CATALOGUE} lists it under "${listed}": make them agree`]
          : [];
      }),
    ]);
  });

  test(`${MANIFEST_SCHEMA}'s profile enum is the optional profiles`, () => {
    const schema = readFileSync(join(ROOT, MANIFEST_SCHEMA), "utf8");
    if (schema !== withProfileEnum(schema))
      expect.fail(`${MANIFEST_SCHEMA}'s profile enum differs from ${CATALOGUE}'s optional profiles: run npm run generate`);
  });
});

describe("disagreements", () => {
  const contract = { where: "C", names: ["a", "b", "c"] };
  test("none when the lists are equal", () => {
    expect(disagreements("heading", contract, { where: "K", names: ["a", "b", "c"] })).toEqual([]);
  });
  test("a name either lacks, in one line each", () => {
    expect(disagreements("heading", contract, { where: "K", names: ["a", "c", "d"] })).toEqual([
      'C has heading "b", which K lacks: add it there, in contract order',
      'K has heading "d", which C does not: rename or remove it',
    ]);
  });
  test("the same names in another order", () => {
    expect(disagreements("heading", contract, { where: "K", names: ["a", "c", "b"] })).toEqual([
      'K lists heading "c" where C has "b": follow the contract\'s order',
    ]);
  });
});
