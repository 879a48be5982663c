// .github/workflows/conformance.yml lints clean with actionlint (built from the Go module proxy).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "./manifest.js";

const ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";

test("the GitHub workflow passes actionlint", async () => {
  const result = await new Promise<{ code: number | string; findings: string; log: string }>((resolve) =>
    execFile("go", ["run", ACTIONLINT, "-no-color", ".github/workflows/conformance.yml"], { cwd: ROOT }, (e, stdout, stderr) =>
      resolve({ code: e ? (e.code ?? 1) : 0, findings: stdout, log: stderr }),
    ),
  );
  if (result.code === "ENOENT") throw new Error("go is not on PATH: install Go to build actionlint");
  expect(result.findings, `actionlint ${join(ROOT, ".github/workflows/conformance.yml")}`).toBe("");
  expect(result.code, result.log).toBe(0);
}, 180_000);
