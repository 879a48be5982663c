// Contract coverage: every rule of docs/api-contract.md names the checks that cover it
// (docs/coverage.json), and every check covers a rule. The comparison is unit-tested on small
// inputs so that each way of failing is shown to fail.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { compare, type Entry, parseContract, readContract, readEntries, readIds, render } from "../../scripts/coverage.js";

describe("contract coverage (docs/coverage.json)", () => {
  test("every rule of the contract names existing checks, and every check covers a rule", () => {
    expect(compare(readContract(), readEntries(), readIds())).toEqual([]);
  });

  test("docs/coverage.md is rendered from the data (npm run generate)", () => {
    expect(readFileSync(new URL("../../docs/coverage.md", import.meta.url), "utf8"), "docs/coverage.md is stale: run npm run generate").toBe(
      render(readEntries()),
    );
  });
});

describe("parseContract", () => {
  test("takes bullets (nested and numbered too), table body rows and paragraphs, under their heading, whitespace collapsed", () => {
    const md =
      "# T\n\nIntro  text\nwraps.\n\n## A\n\n- one\n  wrapped\n  - inner\n\n1. first;\n\n| h | r |\n|---|---|\n| `x` | y \\| z |\n\n```json\n{}\n```\n";
    expect(parseContract(md)).toEqual([
      { section: "T", kind: "paragraph", text: "Intro text wraps." },
      { section: "A", kind: "bullet", text: "one wrapped" },
      { section: "A", kind: "bullet", text: "inner" },
      { section: "A", kind: "bullet", text: "first;" },
      { section: "A", kind: "row", text: "`x` | y | z" },
    ]);
  });
});

describe("compare", () => {
  const rule = { section: "S", kind: "bullet" as const, text: "a rule" };
  const entry = (over: Partial<Entry> = {}): Entry => ({ ...rule, checks: ["X-01"], ...over });
  const one = (problems: string[]) => {
    expect(problems).toHaveLength(1);
    return problems[0]!;
  };

  test("agreement gives no problem; a prefix wildcard covers that prefix", () => {
    expect(compare([rule], [entry()], ["X-01"])).toEqual([]);
    expect(compare([rule], [entry({ checks: ["X-*"] })], ["X-01", "X-02"])).toEqual([]);
  });
  test("a rule of the contract missing from the data (the contract changed)", () => {
    expect(one(compare([rule, { ...rule, text: "new rule" }], [entry()], ["X-01"]))).toMatch(
      /contract bullet in "S": "new rule" is not in docs\/coverage.json: add an entry/,
    );
  });
  test("a data entry for a rule no longer in the contract", () => {
    const problems = compare([{ ...rule, text: "a rule, edited" }], [entry()], ["X-01"]);
    expect(problems).toHaveLength(2);
    expect(problems[1]).toMatch(/has bullet in "S": "a rule", which the contract no longer states/);
  });
  test("a rule that lists no check", () => {
    expect(one(compare([rule], [entry({ checks: [] })], []))).toMatch(/names no check: write one/);
  });
  test("a check id that does not exist, by name or by prefix", () => {
    expect(compare([rule], [entry({ checks: ["X-01", "X-99"] })], ["X-01"])).toEqual([expect.stringMatching(/names X-99, which is no check/)]);
    expect(compare([rule], [entry({ checks: ["X-01", "Y-*"] })], ["X-01"])).toEqual([expect.stringMatching(/names Y-\*, which is no check/)]);
  });
  test("an existing check that no rule cites", () => {
    expect(one(compare([rule], [entry()], ["X-01", "X-02"]))).toBe(
      "check X-02 covers no rule of the contract: add it to the rule it checks in docs/coverage.json",
    );
  });
  test("entries out of contract order, or twice", () => {
    const other = { ...rule, text: "b rule" };
    expect(one(compare([rule, other], [entry({ text: "b rule" }), entry()], ["X-01"]))).toMatch(/not in contract order from entry 1/);
    expect(compare([rule], [entry(), entry()], ["X-01"])).toContainEqual(expect.stringMatching(/twice/));
  });
  test("not_a_rule: only for a paragraph, and never with checks", () => {
    const para = { section: "S", kind: "paragraph" as const, text: "p" };
    expect(compare([para], [{ ...para, checks: [], not_a_rule: "explains" }], [])).toEqual([]);
    expect(one(compare([rule], [entry({ checks: [], not_a_rule: "x" })], []))).toMatch(/allowed only for paragraphs/);
    expect(one(compare([para], [{ ...para, checks: ["X-01"], not_a_rule: "x" }], ["X-01"]))).toMatch(/both not_a_rule and checks/);
  });
  test("a paragraph that states a rule needs checks like any other", () => {
    const para = { section: "S", kind: "paragraph" as const, text: "p MUST" };
    expect(one(compare([para], [{ ...para, checks: [] }], []))).toMatch(/names no check/);
  });
});
