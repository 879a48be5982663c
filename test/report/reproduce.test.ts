// The reproducers: shell quoting, and a replay test. The suite's own client (harness/client/http.ts) sends
// requests to a recording loopback server; the curl lines made from what it recorded run in sh and
// bash against the same server, which must receive the same requests.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Api } from "../../harness/client/http.js";
import { ROOT } from "../../harness/base/paths.js";
import type { Report, ReportCheck, ReportTarget } from "../../harness/report/types.js";
import { curlLines, printfFormat, shq } from "../../harness/client/curl.js";
import { addReproducers, reproducer } from "../../harness/report/reproduce.js";

interface Received {
  method: string;
  url: string;
  headers: [string, string][];
  body: Buffer;
}

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const ok: Answer = (req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(req.method === "HEAD" ? undefined : "ok");

/** A loopback server that keeps every request it gets and reads bodies whole; answers 200 "ok" unless told otherwise. */
async function recordingServer(answer = ok) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
      received.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks) });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() };
}

const run = (shell: string, script: string, env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(shell, ["-c", script], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
    ),
  );

/** What must be equal: curl adds its own User-Agent and Accept, and Host names the same server. */
function comparable(r: Received) {
  const skip = new Set(["host", "user-agent", "accept", "connection"]);
  return {
    method: r.method,
    url: r.url,
    headers: r.headers.filter(([k]) => !skip.has(k)).sort(([a], [b]) => a.localeCompare(b)),
    bodyBytes: r.body.length,
    bodySha256: createHash("sha256").update(r.body).digest("hex"),
  };
}

const LIMIT = 1_048_576;
/** As suites/bodies.test.ts builds its large bodies: JSON padded with spaces before the last "}". */
const padded = (size: number) => {
  const json = JSON.stringify({ name: "Padded", email: "padded-0a1b2c3d4e5f@example.com" });
  return Buffer.from(`${json.slice(0, -1)}${" ".repeat(size - Buffer.byteLength(json))}}`);
};
const json = { "content-type": "application/json" };

describe("shell quoting", () => {
  test("single quotes survive as '\\''", async () => {
    const s = `it's "quoted" $HOME \`id\` \\ !`;
    expect(shq(s)).toBe(`'it'\\''s "quoted" $HOME \`id\` \\ !'`);
    expect((await run("sh", `printf '%s' ${shq(s)}`)).stdout).toBe(s);
  });

  test("printf formats keep %, \\ and letters, and escape controls and invisible white space as octal", async () => {
    const s = "100% \\n é 日本 \u00a0 \u200b \t\n\r\u0001 ' end";
    const format = printfFormat(s);
    expect(format).toBe("100%% \\\\n é 日本 \\302\\240 \\342\\200\\213 \\t\\n\\r\\001 ' end");
    for (const shell of ["sh", "bash"]) expect((await run(shell, `printf ${shq(format)}`)).stdout).toBe(s);
  });
});

describe("curl lines", () => {
  const req = (method: string, url: string, headers: Record<string, string> = {}, body?: string) => ({
    method,
    url,
    headers: { connection: "close", ...headers },
    ...(body === undefined ? {} : { body }),
  });

  test("GET: no -X, the path in the double-quoted $BASE when it is plain", () => {
    expect(curlLines(req("GET", "/api/users?page=2&per_page=5"))).toEqual([`curl -sS -i -m 30 -w '\\n' "$BASE/api/users?page=2&per_page=5"`]);
  });

  test("HEAD is curl -I", () => {
    expect(curlLines(req("HEAD", "/health"))).toEqual([`curl -sS -I -m 30 -w '\\n' "$BASE/health"`]);
  });

  test("a path with shell characters is single-quoted after $BASE; brackets turn off URL globbing", () => {
    expect(curlLines(req("GET", "/api/users/a'b$c!"))).toEqual([`curl -sS -i -m 30 -w '\\n' "$BASE"'/api/users/a'\\''b$c!'`]);
    expect(curlLines(req("GET", "/api/users?page[]=1"))[0]).toContain(` -g "$BASE"'/api/users?page[]=1'`);
  });

  test("POST with a body: --data-binary, Content-Length left to curl, quotes and letters kept", () => {
    const body = `{"name":"Zoë O'Brien"}`;
    expect(curlLines(req("POST", "/api/users", { ...json, "content-length": String(Buffer.byteLength(body)) }, body))).toEqual([
      `curl -sS -i -m 30 -w '\\n' "$BASE/api/users" -H 'content-type: application/json' --data-binary '{"name":"Zoë O'\\''Brien"}'`,
    ]);
  });

  test("a body without Content-Type removes curl's form type; a bodyless POST sends Content-Length: 0 like node", () => {
    expect(curlLines(req("POST", "/api/users", { "content-length": "2" }, "{}"))[0]).toContain(`-H 'Content-Type:' --data-binary '{}'`);
    expect(curlLines(req("POST", "/api/users/1"))[0]).toBe(`curl -sS -i -m 30 -w '\\n' -X POST "$BASE/api/users/1" -H 'Content-Length: 0'`);
    expect(curlLines(req("DELETE", "/api/users/1"))[0]).toBe(`curl -sS -i -m 30 -w '\\n' -X DELETE "$BASE/api/users/1"`);
  });

  test("a body without Content-Length was sent chunked", () => {
    expect(curlLines(req("PATCH", "/api/users/1", json, "{}"))[0]).toContain(
      `-X PATCH "$BASE/api/users/1" -H 'content-type: application/json' -H 'Transfer-Encoding: chunked' --data-binary '{}'`,
    );
  });

  test("an empty header value is sent as 'name;'", () => {
    expect(curlLines(req("GET", "/health", { "x-empty": "" }))[0]).toContain(`-H 'x-empty;'`);
  });

  test("a body starting with @ or holding controls goes through printf on stdin", () => {
    expect(curlLines(req("POST", "/api/users", { "content-length": "5" }, "@etc/"))[0]).toMatch(/^printf '@etc\/' \| curl .* --data-binary @-$/);
    expect(curlLines(req("POST", "/api/users", { "content-length": "3" }, "a\nb"))[0]).toMatch(/^printf 'a\\nb' \| curl /);
  });

  test("a truncated body says so and is rebuilt to its size", () => {
    const recorded = `${padded(LIMIT + 1)
      .subarray(0, 2048)
      .toString()}… (${LIMIT + 1} bytes)`;
    const lines = curlLines(req("POST", "/api/users", { ...json, "content-length": String(LIMIT + 1) }, recorded));
    expect(lines[0]).toBe(
      `# the report kept the first 2,048 of the body's 1,048,577 bytes: ` +
        `the rest is " " repeated, then "}" (how the suite builds its large bodies), not the bytes sent`,
    );
    expect(lines[1]).toMatch(/^\{ printf '\{"name":"Padded",.*'; head -c 1046528 \/dev\/zero \| tr '\\0' ' '; printf '\}'; \} \| curl .* --data-binary @-$/);
  });

  test("bytes that were not UTF-8 are named", () => {
    expect(curlLines(req("POST", "/api/users", { ...json, "content-length": "1" }, "\uFFFD"))[0]).toMatch(/^# the body had bytes that are not UTF-8/);
  });
});

describe("reproducers", () => {
  const sample: Report = JSON.parse(readFileSync(join(ROOT, "fixtures/report/one-failure/conformance.json"), "utf8"));
  const [go] = sample.targets as [ReportTarget];
  const failed = go.checks.find((c) => c.outcome === "failed")!;

  test("a container target's reproducer says how to start the image and sets BASE first", () => {
    const lines = reproducer(go, failed)!;
    expect(lines.slice(0, 4)).toEqual([
      "# RES-14 against go-nethttp: status 500, expected 404",
      "# the run's container is gone: start one in another shell (built by: CONFORMANCE_TARGETS=go-nethttp npm run conformance), or set BASE to your server",
      `#   docker run --rm -p 127.0.0.1:3000:3000 -e PORT=3000 ${go.image}`,
      `BASE="\${BASE:-http://127.0.0.1:3000}"`,
    ]);
    expect(lines.filter((l) => /^(R=\$\()?curl /.test(l))).toHaveLength(failed.exchanges!.length);
  });

  test("a user id a response gave is read from that response and used by the later requests, the run's id by default", async () => {
    const lines = reproducer(go, failed)!;
    expect(lines[5]).toMatch(/^R=\$\(curl .*\); printf '%s\\n' "\$R"; ID1=\$\(printf '%s\\n' "\$R" \| sed -n .* \| head -n 1\)$/);
    expect(lines[6]).toBe(`curl -sS -i -m 30 -w '\\n' -X DELETE "$BASE/api/users/\${ID1:-7}"`);
    expect(lines[7]).toMatch(/^curl -sS -i -m 30 -w '\\n' -X PUT "\$BASE\/api\/users\/\$\{ID1:-7\}" /);
    // A fresh server gives another id; one that already holds the e-mail answers 409 and gives none.
    for (const [status, location, expected] of [
      [201, "/api/users/3", "/api/users/3"],
      [409, undefined, "/api/users/7"],
    ] as const) {
      const server = await recordingServer((req, res) => res.writeHead(req.method === "POST" ? status : 200, location ? { location } : {}).end());
      await run("sh", lines.join("\n"), { BASE: server.url });
      server.close();
      expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /api/users", `DELETE ${expected}`, `PUT ${expected}`]);
    }
  });

  test("an id in a path with shell characters keeps both quoted", async () => {
    const check = { ...failed, exchanges: [failed.exchanges![0]!, { request: { method: "GET", url: "/api/users/7?q=$x!", headers: {} } }] };
    const line = reproducer(go, check)!.at(-1)!;
    expect(line).toBe(`curl -sS -i -m 30 -w '\\n' "$BASE/api/users/\${ID1:-7}"'?q=$x!'`);
    const server = await recordingServer((_req, res) => res.writeHead(201, { location: "/api/users/12" }).end());
    await run("sh", reproducer(go, check)!.join("\n"), { BASE: server.url });
    server.close();
    expect(server.received.at(-1)!.url).toBe("/api/users/12?q=$x!");
  });

  test("only failed checks carry `reproduce`", () => {
    const report = addReproducers(structuredClone(sample));
    const withLines = report.targets.flatMap((t) => t.checks.filter((c) => c.reproduce).map((c) => `${t.name} ${c.id}`));
    expect(withLines).toEqual(["go-nethttp RES-14"]);
  });

  test("a url: target's reproducer points BASE at its origin", () => {
    const target = { ...go, kind: "url", url: "http://127.0.0.1:8080/prefix", image: null } as ReportTarget;
    expect(reproducer(target, failed)![1]).toBe(`BASE="\${BASE:-http://127.0.0.1:8080}"`);
  });
});

describe("replayed in a shell, curl sends what the suite sent", () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  const suiteSent: Received[] = [];
  let check: ReportCheck;
  let target: ReportTarget;

  beforeAll(async () => {
    for (const bin of ["/usr/bin/curl", "/bin/sh", "/bin/bash"]) if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y curl bash`);
    server = await recordingServer();
    const api = new Api(server.url);
    await api.get("/api/users?page=x&per_page=%2F");
    await api.get(`/api/users/a b'"$HOME!`);
    await api.head("/health");
    await api.post("/api/users", { name: `Zoë O'Brien "quoted" 100% \\`, email: "zoe@example.com" });
    await api.request("POST", "/api/users", { body: "@etc/passwd", headers: json });
    await api.request("POST", "/api/users", { body: '{"name":"a\u00a0b\tc\n\u200b","email":"x@example.com"}', headers: json });
    await api.request("POST", "/api/users", { body: "{}" });
    await api.request("POST", "/api/users/1");
    await api.request("PUT", "/api/users/1", { headers: { "x-empty": "", "if-match": '"v1"' } });
    await api.delete("/api/users/1");
    await api.request("POST", "/api/users", { body: padded(LIMIT + 1), headers: json });
    await api.request("PATCH", "/api/users/1", { body: padded(LIMIT + 1), headers: json, chunked: 65_536 });
    await api.request("POST", "/api/users", { body: `"${"x".repeat(LIMIT)}"`, headers: json });
    await api.request("PATCH", "/api/users/1", { body: "{}", headers: { "content-type": "application/merge-patch+json" }, chunked: 1 });
    suiteSent.push(...server.received.splice(0));
    check = {
      id: "X-01",
      level: "MUST",
      profile: "core",
      section: "Errors",
      title: "MUST x",
      outcome: "failed",
      reason: "r",
      exchanges: api.recorder.exchanges,
    };
    target = { name: `url:${server.url}`, kind: "url", image: null, imageId: null, url: server.url, manifest: null, profiles: [], checks: [check] };
  }, 30_000);
  afterAll(() => server?.close());

  for (const shell of ["sh", "bash"]) {
    test(`in ${shell}`, async () => {
      const script = reproducer(target, check)!.join("\n");
      const result = await run(shell, script);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const replayed = server.received.splice(0);
      expect(replayed.map(comparable)).toEqual(suiteSent.map(comparable));
      // Transfer-Encoding is compared above; Content-Length too, whenever the suite sent one.
      expect(replayed.filter((r) => r.headers.some(([k, v]) => k === "transfer-encoding" && v === "chunked"))).toHaveLength(2);
      expect(result.stdout.match(/^HTTP\/1\.1 200 OK/gm)).toHaveLength(suiteSent.length);
    }, 60_000);
  }
});
