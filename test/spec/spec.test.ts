// spec/openapi.yaml: lints clean with Redocly, the generated types are up to date, and its schemas
// say exactly what the contract (docs/api-contract.md) says where JSON Schema can say it.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import openapiTS, { astToString } from "openapi-typescript";
import { stringify } from "yaml";
import { ROOT } from "../../harness/base/paths.js";
import { spec, validator } from "../../harness/client/validate.js";
import type { Json } from "../../harness/client/spec.js";

const run = promisify(execFile);

test("npm run lint:spec passes (Redocly CLI exits 0)", async () => {
  const failure = await run("npx", ["redocly", "lint", "spec/openapi.yaml", "--format=summary"], { cwd: ROOT }).then(
    () => undefined,
    (e: { code?: number; stdout?: string; stderr?: string }) => `exit ${e.code}: ${e.stdout ?? ""}${e.stderr ?? ""}`,
  );
  expect(failure).toBeUndefined();
}, 60_000);

test("harness/generated/openapi.ts is up to date with the spec (npm run generate)", async () => {
  const ast = await openapiTS(new URL("../../spec/openapi.yaml", import.meta.url));
  const committed = readFileSync(join(ROOT, "harness/generated/openapi.ts"), "utf8");
  const header = committed.slice(0, committed.indexOf("export"));
  expect(committed, "run `npm run generate` and commit the result").toBe(header + astToString(ast));
});

/** The contract's whitespace set, read from its own list ("U+0009–U+000D, U+0020, ..."). */
function contractWhitespace(): Set<number> {
  const contract = readFileSync(join(ROOT, "docs/api-contract.md"), "utf8").replace(/\s+/g, " ");
  const list = /property, in every language: (.*?)\. Note/.exec(contract)?.[1];
  if (!list) throw new Error("docs/api-contract.md: the whitespace list was not found");
  const set = new Set<number>();
  for (const [, from, to] of list.matchAll(/U\+([0-9A-F]{4})(?:–U\+([0-9A-F]{4}))?/g)) {
    for (let cp = parseInt(from!, 16); cp <= parseInt(to ?? from!, 16); cp++) set.add(cp);
  }
  return set;
}

describe("whitespace is the contract's 25 code points, spelled out", () => {
  const whitespace = contractWhitespace();
  const name = validator("/components/schemas/Name");
  const email = validator("/components/schemas/Email");

  test("the contract lists 25 code points", () => expect(whitespace.size).toBe(25));

  test("no pattern in the spec uses \\s (ECMAScript's differs: no U+0085, but U+FEFF)", () => {
    const patterns: string[] = [];
    JSON.stringify(spec, (key, value) => {
      if (key === "pattern") patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(0);
    expect(patterns.filter((p) => /\\[sS]/.test(p))).toEqual([]);
  });

  test("a one-character name is valid exactly when the character is not whitespace (every code point)", () => {
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (name(String.fromCodePoint(cp)) === whitespace.has(cp)) wrong.push(`U+${cp.toString(16).toUpperCase().padStart(4, "0")}`);
    }
    expect(wrong).toEqual([]);
  });

  test("an email is valid exactly when no whitespace (and no second @) is in it (every code point, in each part)", () => {
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const valid = !whitespace.has(cp) && c !== "@";
      // The three parts share one character class: every code point in the first, a sample in the others.
      const parts = whitespace.has(cp) || cp % 97 === 0 || cp < 0x80 ? [`${c}a@b.c`, `a@b${c}.c`, `a@b.c${c}`] : [`${c}a@b.c`];
      for (const e of parts) if (email(e) !== valid) wrong.push(JSON.stringify(e));
    }
    expect(wrong).toEqual([]);
  });
});

describe("lengths count code points", () => {
  const name = validator("/components/schemas/Name");
  const email = validator("/components/schemas/Email");
  const astral = "\u{1F600}"; // two UTF-16 units, one code point
  test("a name of 100 astral code points (200 UTF-16 units) is valid, 101 is not", () => {
    expect(name(astral.repeat(100))).toBe(true);
    expect(name(astral.repeat(101))).toBe(false);
    expect(name("")).toBe(false);
  });
  test("an email of 254 code points is valid, 255 is not", () => {
    const at = (n: number) => `${astral.repeat(n - "@b.c".length)}@b.c`;
    expect(email(at(254))).toBe(true);
    expect(email(at(255))).toBe(false);
  });
});

describe("ids, page and per_page are decimal integers within signed 64 bits", () => {
  const MIN = -(2n ** 63n);
  const MAX = 2n ** 63n - 1n;
  const id = validator("/components/parameters/UserId/schema");
  const page = validator("/components/parameters/Page/schema");
  const perPage = validator("/components/parameters/PerPage/schema");
  /** The contract: ids match ^[0-9]+$ and fit in i64; page/per_page match ^-?[0-9]+$ and fit in i64. */
  const idOk = (s: string) => /^[0-9]+$/.test(s) && BigInt(s) <= MAX;
  const intOk = (s: string) => /^-?[0-9]+$/.test(s) && BigInt(s) >= MIN && BigInt(s) <= MAX;
  const expectSame = (s: string) => {
    expect(id(s), `id ${JSON.stringify(s)}`).toBe(idOk(s));
    expect(page(s), `page ${JSON.stringify(s)}`).toBe(intOk(s));
    expect(perPage(s), `per_page ${JSON.stringify(s)}`).toBe(intOk(s));
  };

  test("the bounds and the contract's examples", () => {
    for (const s of ["0", "1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809"]) expectSame(s);
    for (const s of ["abc", "-1", "1.5", "+5", "1e2", "", "-", " 1", "1 ", "1\n", "0x10", "12345678901234567890", "060088525094116918990"]) expectSame(s);
    for (const s of ["007", "-0", "-007", `${"0".repeat(30)}9223372036854775807`, `-${"0".repeat(30)}9223372036854775808`]) expectSame(s);
    expect(id("060088525094116918990")).toBe(false); // from Schemathesis' first run, issue 8
    expect(page("12477982345313374408")).toBe(false);
  });

  test("any decimal string agrees with BigInt arithmetic", () => {
    const near = (bound: bigint) => fc.bigInt({ min: bound - 1000n, max: bound + 1000n });
    const value = fc.oneof(near(MAX), near(MIN), near(0n), fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }));
    const text = fc
      .tuple(value, fc.nat({ max: 3 }), fc.constantFrom("", "", "+", " "))
      .map(([v, zeros, prefix]) => (v < 0n ? `-${"0".repeat(zeros)}${-v}` : `${prefix}${"0".repeat(zeros)}${v}`));
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 22 })), (s) => expectSame(s)),
      { seed: 8, numRuns: 5_000 },
    );
  });
});

test("request bodies reject members other than name and email", () => {
  const bodies: string[] = [];
  for (const [template, item] of Object.entries<Json>(spec.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      for (const type of Object.keys(op.requestBody?.content ?? {})) {
        const pointer = `/paths/${template.replaceAll("/", "~1")}/${method}/requestBody/content/${type.replaceAll("/", "~1")}/schema`;
        const body = validator(pointer);
        bodies.push(`${method} ${template} ${type}`);
        expect(body({ name: "Ada", email: "ada@example.com" }), `${method} ${template} ${type}`).toBe(true);
        expect(body({ name: "Ada", email: "ada@example.com", id: 1 }), `${method} ${template} ${type} with id`).toBe(false);
        expect(body({ name: "Ada", email: "ada@example.com", Name: "x" }), `${method} ${template} ${type} with Name`).toBe(false);
      }
    }
  }
  expect(bodies).toHaveLength(4); // POST, PUT, and PATCH in two media types
});

test("createUser's 201 links to get, replace, patch and delete the new user by its id", () => {
  const links = spec.paths["/api/users"].post.responses["201"].links;
  const byOperation = Object.fromEntries(Object.values<Json>(links).map((l) => [l.operationId, l.parameters]));
  expect(byOperation).toEqual(Object.fromEntries(["getUser", "replaceUser", "patchUser", "deleteUser"].map((op) => [op, { id: "$response.body#/id" }])));
  const operations = Object.values<Json>(spec.paths["/api/users/{id}"]).map((op) => op.operationId);
  for (const op of Object.keys(byOperation)) expect(operations).toContain(op);
});

test("every error response pins the problem's status to its own", () => {
  for (const [name, response] of Object.entries<Json>(spec.components.responses)) {
    const schema = response.content?.["application/problem+json"]?.schema;
    if (!schema) continue;
    const status = Number(schema.allOf?.[1]?.properties?.status?.const);
    expect(status, `${name} pins status`).toBeGreaterThanOrEqual(400);
    const check = validator(`/components/responses/${name}/content/application~1problem+json/schema`);
    const problem = { type: "about:blank", title: name, status, ...(status === 422 ? { errors: [{ pointer: "", detail: "x" }] } : {}) };
    expect(check(problem), name).toBe(true);
    expect(check({ ...problem, status: status === 400 ? 404 : 400 }), `${name} with another status`).toBe(false);
  }
});

test("Redocly reads lengths and whitespace as ajv does (example values linted against the spec's schemas)", async () => {
  // Each example below is checked by Redocly's no-invalid-schema-examples rule; exactly the invalid ones must be reported.
  const examples: Record<string, { valid: string[]; invalid: string[] }> = {
    Name: { valid: ["\u{1F600}".repeat(100), "\uFEFF", "a"], invalid: ["\u{1F600}".repeat(101), "\u0085", "\u3000\u2028"] },
    Email: { valid: ["a\uFEFF@b.c"], invalid: ["a\u0085@b.c", "a@b.c\u00A0"] },
  };
  const copy = structuredClone(spec);
  const invalid: string[] = [];
  for (const [schema, { valid, invalid: bad }] of Object.entries(examples)) {
    for (const [i, value] of [...valid, ...bad].entries()) {
      // A copy of the schema, not a $ref: Redocly does not lint examples beside a $ref.
      copy.components.schemas[`${schema}Example${i}`] = { ...spec.components.schemas[schema], examples: [value] };
      if (i >= valid.length) invalid.push(`#/components/schemas/${schema}Example${i}/examples/0`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "spec-examples-"));
  try {
    writeFileSync(join(dir, "openapi.yaml"), stringify(copy));
    writeFileSync(
      join(dir, "redocly.yaml"),
      "extends: [recommended]\nrules:\n  no-invalid-schema-examples: error\n  operation-4xx-response: off\n  no-unused-components: off\n",
    );
    const redocly = join(ROOT, "node_modules/.bin/redocly");
    const out = await run(redocly, ["lint", "openapi.yaml", "--format=json"], { cwd: dir }).catch((e: { stdout: string }) => e);
    const problems = JSON.parse(out.stdout.slice(out.stdout.indexOf("{"))).problems as { ruleId: string; location: { pointer: string }[] }[];
    const reported = problems.filter((p) => p.ruleId === "no-invalid-schema-examples").map((p) => p.location[0]!.pointer);
    expect(reported.sort()).toEqual(invalid.sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
