// The five scenarios: what each sends, which statuses count as done, how wrk runs it (the ladder)
// and how oha runs it (the fixed-rate run). And the seeding every server gets before its load.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { runOha, type OhaOptions } from "./oha.js";
import { HOST } from "./server.js";
import type { OhaOperation, Scenario, ScenarioId } from "./types.js";
import { WRK_SCRIPT_DIR, wrkScript } from "./wrk.js";

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  "get-one": { id: "get-one", title: "GET one user", requests: "GET /api/users/1 (a seeded user)", ok: [200] },
  "list-20": { id: "list-20", title: "List a page of 20", requests: "GET /api/users?per_page=20 (200 users seeded)", ok: [200] },
  "list-100": { id: "list-100", title: "List a page of 100", requests: "GET /api/users?per_page=100 (200 users seeded)", ok: [200] },
  create: { id: "create", title: "POST create", requests: "POST /api/users, a unique email per request; only 201s count", ok: [201] },
  mixed: {
    id: "mixed",
    title: "Mixed CRUD",
    requests: "per 20 requests: 10 GET one, 3 list of 20, 3 POST, 2 PATCH (name), 2 DELETE of a user the run created; 200/201/204 count",
    ok: [200, 201, 204],
  },
};

export const newPrefix = () => `b${randomBytes(5).toString("hex")}`;

/** How wrk runs a scenario: the URL, the script and its environment. */
export function wrkPlan(id: ScenarioId, port: number, seeded: { first: number; last: number }): { url: string; script: string; env: Record<string, string> } {
  const base = `http://${HOST}:${port}`;
  switch (id) {
    case "get-one":
      return { url: `${base}/api/users/${seeded.first}`, script: wrkScript("static"), env: {} };
    case "list-20":
      return { url: `${base}/api/users?per_page=20`, script: wrkScript("static"), env: {} };
    case "list-100":
      return { url: `${base}/api/users?per_page=100`, script: wrkScript("static"), env: {} };
    case "create":
      return { url: `${base}/api/users`, script: wrkScript("create"), env: { BENCH_EMAIL_PREFIX: newPrefix() } };
    case "mixed":
      return {
        url: `${base}/api/users`,
        script: wrkScript("mixed"),
        env: { BENCH_EMAIL_PREFIX: newPrefix(), BENCH_FIRST_ID: String(seeded.first), BENCH_LAST_ID: String(seeded.last) },
      };
  }
}

// ---------- seeding ----------

function post(agent: Agent, port: number, body: string): Promise<{ status: number; id?: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port,
        method: "POST",
        path: "/api/users",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve(status === 201 ? { status, id: (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number }).id } : { status });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("seeding: no answer within 5 s")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Creates `count` users (8 at a time, bounded by count and a 60 s deadline); returns their ids ascending. */
export async function seedUsers(port: number, count: number, label = "Seed"): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const prefix = newPrefix();
  const ids: number[] = [];
  let next = 0;
  const deadline = Date.now() + 60_000;
  try {
    const worker = async () => {
      while (next < count) {
        if (Date.now() > deadline) throw new Error(`seeding: ${ids.length} of ${count} users after 60 s`);
        const n = next++;
        const r = await post(agent, port, JSON.stringify({ name: `${label} ${n}`, email: `${prefix}-${n}@example.com` }));
        if (r.status !== 201 || r.id === undefined) throw new Error(`seeding: POST /api/users answered ${r.status}, expected 201`);
        ids.push(r.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
  } finally {
    agent.destroy();
  }
  return ids.sort((a, b) => a - b);
}

// ---------- fixed rate ----------

let files = 0;
function tempFile(lines: string[]): string {
  const file = join(WRK_SCRIPT_DIR, `oha-${++files}.txt`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Request bodies with unique emails: 20× the requests expected, so random picks rarely repeat. */
function bodiesFile(requests: number, name: string): string {
  const prefix = newPrefix();
  const n = Math.min(400_000, Math.max(1000, Math.ceil(requests * 20)));
  return tempFile(Array.from({ length: n }, (_, i) => `{"name":"${name}","email":"${prefix}-${i}@example.com"}`));
}

export interface FixedRateContext {
  oha: string;
  cpus: string;
  port: number;
  seconds: number;
  connections: number;
  seeded: number[];
}

/** The mixed workload's shares, as in lua/mixed.lua. */
const MIX = { get: 10 / 20, list: 3 / 20, post: 3 / 20, patch: 2 / 20, delete: 2 / 20 };

/** One fixed-rate run of a scenario at `rate` requests per second in total. */
export async function fixedRate(id: ScenarioId, rate: number, c: FixedRateContext): Promise<OhaOperation[]> {
  const base = `http://${HOST}:${c.port}`;
  const common = { oha: c.oha, cpus: c.cpus, seconds: c.seconds };
  const one = (o: Omit<OhaOptions, "oha" | "cpus" | "seconds">) => runOha({ ...common, ...o });
  const json = "application/json";
  switch (id) {
    case "get-one":
      return [await one({ operation: "GET one", method: "GET", url: `${base}/api/users/${c.seeded[0]}`, rate, connections: c.connections })];
    case "list-20":
      return [await one({ operation: "list 20", method: "GET", url: `${base}/api/users?per_page=20`, rate, connections: c.connections })];
    case "list-100":
      return [await one({ operation: "list 100", method: "GET", url: `${base}/api/users?per_page=100`, rate, connections: c.connections })];
    case "create":
      return [
        await one({
          operation: "POST",
          method: "POST",
          url: `${base}/api/users`,
          rate,
          connections: c.connections,
          contentType: json,
          bodyLines: bodiesFile(rate * c.seconds, "Rate User"),
        }),
      ];
    case "mixed": {
      // Each operation gets the full connection count: a rate-limited oha with too few connections
      // falls behind on a latency spike, and the corrected latencies then measure oha's backlog.
      const connections = c.connections;
      const users = tempFile(c.seeded.map((i) => `${base}/api/users/${i}`));
      // Users to delete, made now: 4× the deletes expected, so a random pick is rarely a repeat (a 404).
      const doomed = await seedUsers(c.port, Math.min(3000, Math.max(50, Math.ceil(rate * MIX.delete * c.seconds * 4))), "Doomed");
      const runs = [
        one({ operation: "GET one", method: "GET", url: users, urlsFile: true, rate: rate * MIX.get, connections }),
        one({ operation: "list 20", method: "GET", url: `${base}/api/users?per_page=20`, rate: rate * MIX.list, connections }),
        one({
          operation: "POST",
          method: "POST",
          url: `${base}/api/users`,
          rate: rate * MIX.post,
          connections,
          contentType: json,
          bodyLines: bodiesFile(rate * MIX.post * c.seconds, "Mixed Rate"),
        }),
        one({
          operation: "PATCH",
          method: "PATCH",
          url: users,
          urlsFile: true,
          rate: rate * MIX.patch,
          connections,
          contentType: "application/merge-patch+json",
          body: '{"name":"Renamed at rate"}',
        }),
        one({
          operation: "DELETE",
          method: "DELETE",
          url: tempFile(doomed.map((i) => `${base}/api/users/${i}`)),
          urlsFile: true,
          rate: rate * MIX.delete,
          connections,
        }),
      ];
      return Promise.all(runs);
    }
  }
}
