// npm run fuzz: its settings, its bad-input errors, its reading of Schemathesis' JUnit, and a
// schemathesis.toml that only adjusts expectations (never switches a check off) and says why.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CONFIG,
  REQUIREMENTS,
  SCHEMATHESIS_VERSION,
  ensureSchemathesis,
  failedRequests,
  failureSection,
  fuzzSettings,
  reportName,
  schemathesisArgs,
  summarizeJunit,
} from "../../harness/fuzz/fuzz.js";
import { ROOT } from "../../harness/base/paths.js";

/** The one-line UsageError a call rejects with. */
async function usageError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(e?.name).toBe("UsageError");
  expect(e!.message).not.toContain("\n");
  return e!.message;
}
const sync = (fn: () => unknown) => usageError(new Promise((resolve) => resolve(fn())));

describe("settings", () => {
  test("a fixed seed and budget by default, both settable", () => {
    expect(fuzzSettings({})).toEqual({ seed: 1, seconds: 60, reportDir: "reports" });
    expect(fuzzSettings({ FUZZ_SEED: "42", FUZZ_SECONDS: "20", FUZZ_MAX_EXAMPLES: "50" })).toMatchObject({ seed: 42, seconds: 20, maxExamples: 50 });
  });
  test("a bad value is one line naming the variable", async () => {
    expect(await sync(() => fuzzSettings({ FUZZ_SECONDS: "0" }))).toContain("FUZZ_SECONDS must be an integer of at least 1");
    expect(await sync(() => fuzzSettings({ FUZZ_SEED: "abc" }))).toContain("FUZZ_SEED");
    expect(await sync(() => fuzzSettings({ FUZZ_MAX_EXAMPLES: "1.5" }))).toContain("FUZZ_MAX_EXAMPLES");
  });
  test("every check and every phase, the stateful one included, with the seed and the budget", () => {
    const args = schemathesisArgs("http://127.0.0.1:1", "reports/fuzz-x.xml", { seed: 7, seconds: 30, reportDir: "reports" });
    const flagValue = (flag: string) => args[args.indexOf(flag) + 1];
    expect(flagValue("--checks")).toBe("all");
    expect(flagValue("--phases")!.split(",")).toContain("stateful");
    expect([flagValue("--seed"), flagValue("--max-time"), flagValue("--config-file")]).toEqual(["7", "30", CONFIG]);
    expect(args).not.toContain("--exclude-checks");
  });
  test("report names are file-name safe", () => expect(reportName("url:http://127.0.0.1:8080")).toBe("url_http_127.0.0.1_8080"));
});

describe("the virtualenv", () => {
  test("Schemathesis is pinned, with everything it pulls in", () => {
    const pins = readFileSync(REQUIREMENTS, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(pins).toContain(`schemathesis==${SCHEMATHESIS_VERSION}`);
    expect(pins.filter((l) => !/^[A-Za-z0-9_.-]+==[0-9][^\s]*$/.test(l))).toEqual([]);
  });
  test("no python3 is one line naming the fix", async () => {
    const venv = join(mkdtempSync(join(tmpdir(), "fuzz-venv-")), ".venv");
    expect(await usageError(ensureSchemathesis({ venv, python: "no-such-python3", log: () => {} }))).toMatch(/no no-such-python3 on PATH; install Python 3.11/);
  });
  test("a pip failure is one line naming the fix, with pip's output kept in a file", async () => {
    // A virtualenv whose python fails as pip does when PyPI is out of reach (a real one takes seconds to create).
    const venv = join(mkdtempSync(join(tmpdir(), "fuzz-venv-")), ".venv");
    mkdirSync(join(venv, "bin"), { recursive: true });
    const pip = "ERROR: Could not find a version that satisfies the requirement schemathesis==4.32.5";
    writeFileSync(join(venv, "bin", "python"), `#!/bin/sh\necho "${pip}" >&2\nexit 1\n`, { mode: 0o755 });
    const message = await usageError(ensureSchemathesis({ venv, log: () => {} }));
    expect(message).toMatch(/pip could not install scripts\/fuzz-requirements.txt .*\(exit 1, output in .*pip\.log\); check that PyPI is reachable/);
    expect(readFileSync(join(venv, "pip.log"), "utf8")).toContain(pip);
  });
});

test("the JUnit report's totals and the failed cases", () => {
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="1" failures="1" skipped="0" tests="3" time="1.0">
  <testsuite name="schemathesis" errors="1" failures="1" skipped="0" tests="3" time="1.0">
    <testcase name="GET /api/users" time="0.1"><failure type="failure" message="1. Test Case ID: x">...</failure></testcase>
    <testcase name="GET /health" time="0.1" />
    <testcase name="Stateful tests" time="0.1"><error type="error" message="boom">...</error></testcase>
  </testsuite>
</testsuites>`;
  expect(summarizeJunit(xml)).toEqual({ testcases: 3, failures: 1, errors: 1, failed: ["GET /api/users", "Stateful tests"] });
  expect(() => summarizeJunit("<testsuites/>")).toThrow(/no <testsuite>/);
  const output =
    "...\n" +
    "=================================== FAILURES ===================================\n" +
    "_ GET /api/users _\n" +
    "curl ...\n" +
    "=================================== SUMMARY ====================================\n";
  expect(failureSection(output)).toMatch(/^=+ FAILURES =+\n_ GET \/api\/users _\ncurl \.\.\.$/);
  expect(failedRequests(output)).toEqual(["GET /api/users"]);
});

describe("schemathesis.toml", () => {
  const lines = readFileSync(join(ROOT, "schemathesis.toml"), "utf8").split("\n");
  test("switches no check off, wholesale or in a phase", () => {
    let section = "";
    for (const line of lines) {
      section = /^\[(.*)\]/.exec(line)?.[1] ?? section;
      if (/^\s*enabled\s*=\s*false/.test(line)) expect(section, `enabled = false in [${section}]`).not.toMatch(/checks|phases/);
      expect(line).not.toMatch(/exclude-checks|^\s*checks\s*=/);
    }
  });
  test("every setting is explained by the comment above it; expectation changes cite the contract", () => {
    lines.forEach((line, i) => {
      if (!/^[a-z][\w-]*\s*=/.test(line)) return;
      expect(lines[i - 1], `the line before "${line}"`).toMatch(/^#/);
      if (/expected-statuses|unexpected-methods|duplicate/.test(line)) {
        const comment = lines
          .slice(0, i)
          .reverse()
          .findIndex((l) => !l.startsWith("#"));
        expect(lines.slice(i - comment, i).join(" "), `the comment above "${line}"`).toMatch(/Contract, /);
      }
    });
  });
});
