// fixtures/broken's fault names are exactly the ones fixtures/faults.json lists. The Go sources
// are read as tokens (no Go toolchain needed): a fault name is what a file declares, once, as
// `fault<Name> = declare("<name>")` (the names the server accepts as FAULT); a string literal
// compared with the variable that holds os.Getenv("FAULT") must be one of them. A test fails with
// one line that names each fault at odds and the side it is missing from.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "../../harness/base/paths.js";
import { FAULTS } from "./faults.js";

const BROKEN = "fixtures/broken";
const FAULTS_JSON = "fixtures/faults.json";
/** The function each fault name is declared with, so that the server accepts it as FAULT. */
const DECLARE = "declare";

interface Token {
  kind: "ident" | "string" | "rune" | "number" | "op";
  /** The identifier or operator, or a string's value. */
  text: string;
  /** Where it is: "fixtures/broken/<file>.go:<line>". */
  at: string;
}

const OPS = ["...", "&&", "||", "==", "!=", "<=", ">=", ":=", "<-", "++", "--", "+=", "-=", "<<", ">>"];

/** Go source as tokens, without comments. Enough of Go's lexical grammar for what this test reads. */
function tokenize(src: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: Token["kind"], text: string, startLine: number) => tokens.push({ kind, text, at: `${file}:${startLine}` });
  while (i < src.length) {
    const c = src[i]!;
    const start = line;
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith("//", i)) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      line += (src.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
    } else if (c === "`") {
      const end = src.indexOf("`", i + 1);
      const stop = end < 0 ? src.length : end;
      const text = src.slice(i + 1, stop);
      line += (text.match(/\n/g) ?? []).length;
      push("string", text, start);
      i = stop + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== c && src[j] !== "\n") {
        if (src[j] === "\\") text += src[j++]!;
        text += src[j++]!;
      }
      push(c === '"' ? "string" : "rune", goString(text), start);
      i = j + 1;
    } else if (/[\p{L}_]/u.test(c)) {
      const m = /^[\p{L}\p{N}_]+/u.exec(src.slice(i))!;
      push("ident", m[0], start);
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9a-zA-Z_.]+/.exec(src.slice(i))!;
      push("number", m[0], start);
      i += m[0].length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i)) ?? c;
      push("op", op, start);
      i += op.length;
    }
  }
  return tokens;
}

/** A Go interpreted string's value, for the escapes JSON shares with Go (fault names have none). */
function goString(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/** Whether t is one of the operators `ops` names (space-separated). */
const isOp = (t: Token | undefined, ops: string) => t?.kind === "op" && ops.split(" ").includes(t.text);

/** The index of the bracket that closes the one at `open`. */
function closing(tokens: Token[], open: number): number {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const want = pairs[tokens[open]!.text]!;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "op") continue;
    if (t.text === tokens[open]!.text) depth++;
    else if (t.text === want && --depth === 0) return i;
  }
  return tokens.length;
}

/** The expressions of the `case` clause whose first token is at `from`, up to its colon, each as its tokens. */
function caseItems(ts: Token[], from: number): Token[][] {
  const items: Token[][] = [[]];
  let depth = 0;
  for (let k = from; k < ts.length; k++) {
    const t = ts[k]!;
    if (depth === 0 && isOp(t, ":")) break;
    if (isOp(t, "( [ {")) depth++;
    if (isOp(t, ") ] }")) depth--;
    if (depth === 0 && isOp(t, ",")) items.push([]);
    else items.at(-1)!.push(t);
  }
  return items;
}

interface GoFaults {
  /** Each name passed to declare("..."), with where ("<file>:<line>"). */
  names: Map<string, string>;
  /** Names declared more than once. */
  twice: string[];
  /** String literals compared with FAULT, with where: each must be a declared name. */
  compared: Map<string, string>;
  /** Whether some source reads os.Getenv("FAULT") into a variable. */
  readsFault: boolean;
}

/** The variables that hold FAULT: `<name> = os.Getenv("FAULT")` (or `:=`). */
function faultVariables(files: Token[][]): Set<string> {
  const vars = new Set<string>();
  for (const ts of files) {
    ts.forEach((t, i) => {
      const [assign, os, dot, getenv, paren, arg] = ts.slice(i + 1, i + 7);
      const reads = (assign?.text === "=" || assign?.text === ":=") && os?.text === "os" && dot?.text === "." && getenv?.text === "Getenv";
      if (t.kind === "ident" && reads && paren?.text === "(" && arg?.kind === "string" && arg.text === "FAULT") vars.add(t.text);
    });
  }
  return vars;
}

/** The fault names fixtures/broken's Go sources declare, and the literals they compare with FAULT. */
function goFaults(): GoFaults {
  const files = readdirSync(join(ROOT, BROKEN))
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .sort()
    .map((f) => tokenize(readFileSync(join(ROOT, BROKEN, f), "utf8"), `${BROKEN}/${f}`));
  const faultVars = faultVariables(files);
  const isFaultVar = (ts: Token[], i: number) => ts[i]?.kind === "ident" && faultVars.has(ts[i]!.text) && ts[i - 1]?.text !== ".";

  const names = new Map<string, string>();
  const twice: string[] = [];
  const compared = new Map<string, string>();
  /** A non-empty string literal compared with FAULT. */
  const literal = (t: Token | undefined) => {
    if (t?.kind === "string" && t.text !== "" && !compared.has(t.text)) compared.set(t.text, t.at);
  };
  for (const ts of files) {
    ts.forEach((t, i) => {
      // fault<Name> = declare("name"): a call, not the function's own declaration
      if (t.text === DECLARE && isOp(ts[i + 1], "(") && ts[i - 1]?.text !== "func") {
        const arg = ts[i + 2];
        if (arg?.kind !== "string") return;
        const first = names.get(arg.text);
        if (first) twice.push(`fault "${arg.text}" is declared twice, at ${first} and at ${arg.at}`);
        else names.set(arg.text, arg.at);
      }
      // fault == "x", fault != "x", "x" == fault, "x" != fault
      if (isOp(t, "== !=")) {
        if (isFaultVar(ts, i - 1)) literal(ts[i + 1]);
        else if (isFaultVar(ts, i + 1) && ts[i + 2]?.text !== ".") literal(ts[i - 1]);
      }
      // switch fault { case "x", "y": ... }: the cases at the switch's own depth
      if (t.text === "switch" && isFaultVar(ts, i + 1) && isOp(ts[i + 2], "{")) {
        const end = closing(ts, i + 2);
        let depth = 0;
        for (let j = i + 2; j < end; j++) {
          const u = ts[j]!;
          if (isOp(u, "{ ( [")) depth++;
          else if (isOp(u, "} ) ]")) depth--;
          else if (depth === 1 && u.text === "case") for (const item of caseItems(ts, j + 1)) if (item.length === 1) literal(item[0]);
        }
      }
    });
  }
  return { names, twice, compared, readsFault: faultVars.size > 0 };
}

const listed = FAULTS.map((f) => f.fault);

/** Fails with the problems as one line, if there are any. */
function failOn(problems: string[]) {
  if (problems.length > 0) throw new Error(problems.join("; "));
}

describe(`fault names: ${BROKEN} and ${FAULTS_JSON}`, () => {
  const go = goFaults();

  test(`some Go source of ${BROKEN} reads FAULT, and declares fault names`, () => {
    expect(go.readsFault, `no Go source of ${BROKEN} reads os.Getenv("FAULT") into a variable`).toBe(true);
    expect(go.names.size, `no Go source of ${BROKEN} declares a fault name`).toBeGreaterThan(0);
  });

  test(`every fault ${FAULTS_JSON} lists is declared in ${BROKEN}, and no other`, () => {
    const json = new Set(listed);
    failOn([
      ...listed.filter((f) => !go.names.has(f)).map((f) => `fault "${f}" is in ${FAULTS_JSON} but no Go source of ${BROKEN} declares it`),
      ...[...go.names].filter(([f]) => !json.has(f)).map(([f, where]) => `fault "${f}" is declared at ${where} but ${FAULTS_JSON} does not list it`),
    ]);
  });

  test(`each fault name is declared once, and FAULT is compared only with declared names`, () => {
    failOn([
      ...go.twice,
      ...[...go.compared]
        .filter(([f]) => !go.names.has(f))
        .map(([f, where]) => `fault "${f}" is compared with FAULT at ${where} but never declared, so the server refuses FAULT=${f}`),
    ]);
  });
});
