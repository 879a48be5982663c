// Contract coverage: every rule of docs/api-contract.md (each bullet, each table row, each
// paragraph) against docs/coverage.json, which names the checks that cover it. Imported by
// test/check/coverage.test.ts and by scripts/generate.ts, which renders docs/coverage.md with it
// (`npm run generate`).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { marked, type Token, type Tokens } from "marked";

export type Kind = "bullet" | "row" | "paragraph";
/** One rule as the contract states it: its section heading and its text, whitespace collapsed. */
export interface Rule {
  section: string;
  kind: Kind;
  text: string;
}
/** One entry of docs/coverage.json: a rule and the checks that cover it, or (paragraphs only) why it is no rule. */
export interface Entry extends Rule {
  checks: string[];
  not_a_rule?: string;
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/** The rules of a contract, in order: list items (nested ones too), table body rows and paragraphs. */
export function parseContract(markdown: string): Rule[] {
  const rules: Rule[] = [];
  let section = "(preamble)";
  const walkList = (list: Tokens.List) => {
    for (const item of list.items) {
      const own = item.tokens.filter((t) => t.type !== "list").map((t) => ("text" in t ? t.text : t.raw));
      rules.push({ section, kind: "bullet", text: collapse(own.join(" ")) });
      for (const t of item.tokens) if (t.type === "list") walkList(t as Tokens.List);
    }
  };
  for (const token of marked.lexer(markdown) as Token[]) {
    if (token.type === "heading") section = collapse((token as Tokens.Heading).text);
    else if (token.type === "list") walkList(token as Tokens.List);
    else if (token.type === "table")
      for (const row of (token as Tokens.Table).rows) rules.push({ section, kind: "row", text: collapse(row.map((c) => c.text).join(" | ")) });
    else if (token.type === "paragraph") rules.push({ section, kind: "paragraph", text: collapse((token as Tokens.Paragraph).text) });
  }
  return rules;
}

/** A cited id names one check; "CORS-*" names every check whose id starts "CORS-". */
const matches = (cited: string, id: string) => (cited.endsWith("-*") ? id.startsWith(cited.slice(0, -1)) : cited === id);
const key = (r: Rule) => `${r.section}\u0000${r.kind}\u0000${r.text}`;
const show = (r: Rule) => `${r.kind} in "${r.section}": "${r.text.length > 90 ? `${r.text.slice(0, 87)}...` : r.text}"`;

/**
 * Every way the data and the contract and the checks disagree, one actionable line each. `ids` are
 * the checks that exist (test/check/__snapshots__/checks.tsv, which test/check/checks.test.ts keeps equal
 * to what vitest lists).
 */
export function compare(rules: Rule[], entries: Entry[], ids: string[]): string[] {
  const problems: string[] = [];
  const inData = new Set(entries.map(key));
  const inContract = new Set(rules.map(key));
  const file = "docs/coverage.json";
  for (const r of rules) if (!inData.has(key(r))) problems.push(`contract ${show(r)} is not in ${file}: add an entry with the checks that cover it`);
  for (const e of entries)
    if (!inContract.has(key(e))) problems.push(`${file} has ${show(e)}, which the contract no longer states: update or remove the entry`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(key(e))) problems.push(`${file} lists ${show(e)} twice: merge the entries`);
    seen.add(key(e));
  }
  const order = entries.filter((e) => inContract.has(key(e))).map(key);
  const expected = rules.map(key).filter((k) => inData.has(k));
  const at = order.findIndex((k, i) => k !== expected[i]);
  if (at >= 0) problems.push(`${file} is not in contract order from entry ${at + 1}: reorder it as the contract states its rules`);
  for (const e of entries) {
    if (e.not_a_rule !== undefined) {
      if (e.kind !== "paragraph") problems.push(`${file}: ${show(e)} has not_a_rule, allowed only for paragraphs: name the checks that cover it`);
      else if (e.checks.length > 0) problems.push(`${file}: ${show(e)} has both not_a_rule and checks: keep one`);
      continue;
    }
    if (e.checks.length === 0) problems.push(`${file}: ${show(e)} names no check: write one, or name those that cover it`);
    for (const id of e.checks) if (!ids.some((x) => matches(id, x))) problems.push(`${file}: ${show(e)} names ${id}, which is no check: fix the id`);
  }
  const cites = entries.flatMap((e) => e.checks);
  for (const id of ids)
    if (!cites.some((c) => matches(c, id))) problems.push(`check ${id} covers no rule of the contract: add it to the rule it checks in ${file}`);
  return problems;
}

const root = fileURLToPath(new URL("..", import.meta.url));
export const readContract = () => parseContract(readFileSync(`${root}docs/api-contract.md`, "utf8"));
export const readEntries = (): Entry[] => JSON.parse(readFileSync(`${root}docs/coverage.json`, "utf8")).rules;
export const readIds = () =>
  readFileSync(`${root}test/check/__snapshots__/checks.tsv`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t")[0]!);

/** docs/coverage.md: rule -> checks, one table per section. */
export function render(entries: Entry[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const out = ["# Contract coverage", "", "Generated from `docs/coverage.json` by `npm run generate`; do not edit by hand.", ""];
  let section = "";
  for (const e of entries) {
    if (e.section !== section) {
      section = e.section;
      out.push("", `## ${section}`, "", "| rule | checks |", "|---|---|");
    }
    out.push(`| ${cell(e.text)} | ${e.not_a_rule !== undefined ? `(not a rule: ${cell(e.not_a_rule)})` : e.checks.join(", ")} |`);
  }
  return `${out.join("\n")}\n`;
}

// `tsx scripts/coverage.ts --skeleton`: an entry per rule of the contract, with no checks yet, to
// start docs/coverage.json from. docs/coverage.md is written by `npm run generate`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== "--skeleton") throw new Error("usage: tsx scripts/coverage.ts --skeleton (docs/coverage.md: npm run generate)");
  console.log(
    JSON.stringify(
      readContract().map((r) => ({ ...r, checks: [] })),
      null,
      1,
    ),
  );
}
