// For the suite's own tests and scripts/list-checks.ts: a server on loopback that is healthy and answers 501 problem+json to
// everything else, after reading the whole request body (so early answers never race the upload); and a nested
// conformance run, for the tests that check a whole run from outside.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../harness/report/types.js";

export async function startStub(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const health = req.url === "/health";
      res.writeHead(health ? 200 : 501, { "content-type": health ? "application/json" : "application/problem+json" });
      res.end(health ? '{"status":"ok"}' : '{"type":"about:blank","title":"Not Implemented","status":501}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => void server.close() };
}

/** vitest's own entry point: a nested run started with `node` directly, not through npx (a second of CPU each). */
export const VITEST_BIN = new URL("../node_modules/vitest/vitest.mjs", import.meta.url).pathname;

/** One nested `npm run conformance` with `env` over this process's environment: its exit code and conformance.json. */
export async function conformanceRun(env: NodeJS.ProcessEnv): Promise<{ code: number; report: Report }> {
  const dir = mkdtempSync(join(tmpdir(), "conformance-run-"));
  const all = { ...process.env, CONFORMANCE_ONLY: "1", CONFORMANCE_REPORT_DIR: dir, ...env };
  const code = await new Promise<number>((resolve) =>
    execFile(process.execPath, [VITEST_BIN, "run"], { env: all }, (e) => resolve(e ? ((e.code as number) ?? 1) : 0)),
  );
  return { code, report: JSON.parse(readFileSync(join(dir, "conformance.json"), "utf8")) };
}
