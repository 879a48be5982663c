// For the suite's own tests and scripts/list-checks.ts: a server on loopback that is healthy and answers 501 problem+json to
// everything else, after reading the whole request body (so early answers never race the upload).
import http from "node:http";
import type { AddressInfo } from "node:net";

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
