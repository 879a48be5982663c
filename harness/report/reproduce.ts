// Turns the exchanges a failed check recorded into shell lines that replay them with curl: the
// `reproduce` of a failure in conformance.json, and the "Reproduce" block of the HTML page. The
// curl lines themselves come from harness/client/curl.ts.
import { curlLines } from "../client/curl.js";
import type { RecordedExchange } from "../client/http.js";
import type { Report, ReportCheck, ReportTarget } from "./types.js";

/** The port the reproducer suggests for a container started by hand (the suite's own, harness/run/container.ts). */
const PORT = 3000;

/** How the reproducer reaches a server like the one the run checked. */
function baseLines(target: ReportTarget): string[] {
  if (target.url) return [`BASE="\${BASE:-${new URL(target.url).origin}}"`];
  const image = target.image ?? "<image>";
  const built = target.kind === "implementation" ? ` (built by: CONFORMANCE_TARGETS=${target.name} npm run conformance)` : "";
  return [
    `# the run's container is gone: start one in another shell${built}, or set BASE to your server`,
    `#   docker run --rm -p 127.0.0.1:${PORT}:${PORT} -e PORT=${PORT} ${image}`,
    `BASE="\${BASE:-http://127.0.0.1:${PORT}}"`,
  ];
}

export interface Replay {
  /** What the check was, how to reach a server ($BASE), and notes on the whole replay. */
  preamble: string[];
  /** Per recorded exchange, in order: its notes and its one command. */
  steps: string[][];
}

/** The replay of a failed check's exchanges against `$BASE`, or undefined when it did not fail. */
export function replay(target: ReportTarget, check: ReportCheck): Replay | undefined {
  if (check.outcome !== "failed") return undefined;
  const exchanges = check.exchanges ?? [];
  const preamble = [`# ${check.id} against ${target.name}: ${check.reason ?? "failed"}`.replace(/[\r\n]+/g, " "), ...baseLines(target)];
  if (!exchanges.length) {
    preamble.push("# no HTTP exchange was recorded: the server did not answer in time or did not start; its log is in the report");
    return { preamble, steps: [[`curl -sS -i -m 30 "$BASE/health"`]] };
  }
  if (exchanges.length >= 20) preamble.push("# the report keeps a check's last 20 exchanges: earlier ones are not replayed");
  if (exchanges.length > 1) {
    preamble.push(
      "# the run's requests, in order; a user id a response gives is used by the requests after it (the run's id when none is given); " +
        "e-mails are the run's: a second paste against one server meets 409",
    );
  }
  const ids = new Map<string, string>();
  const steps = exchanges.map((x, i) => {
    const lines = curlLines(x.request, "$BASE", ids);
    const given = givenId(x);
    const usedLater = given && exchanges.slice(i + 1).some((later) => new RegExp(`/api/users/${given.id}(?:$|[/?])`).test(later.request.url));
    if (!given || !usedLater || ids.has(given.id)) return lines;
    const name = `ID${ids.size + 1}`;
    ids.set(given.id, name);
    // Show the response, and keep the id this server gave (the run's, when it gives none: a 409 on a second paste).
    return [...lines.slice(0, -1), `R=$(${lines.at(-1)}); printf '%s\\n' "$R"; ${name}=$(printf '%s\\n' "$R" | ${given.extract})`];
  });
  return { preamble, steps };
}

/** Shell lines that replay a failed check's exchanges against `$BASE` (the `reproduce` of conformance.json). */
export function reproducer(target: ReportTarget, check: ReportCheck): string[] | undefined {
  const r = replay(target, check);
  return r && [...r.preamble, ...r.steps.flat()];
}

/** The user id a response gave (its Location, else its body's top-level "id"), and the shell that reads it from curl -i output. */
function givenId(x: RecordedExchange): { id: string; extract: string } | undefined {
  if (!x.response || x.response.status >= 300) return undefined;
  const location = /\/api\/users\/(\d+)$/.exec(x.response.headers.location ?? "");
  if (location) return { id: location[1]!, extract: `sed -n 's/^[Ll]ocation:.*\\/api\\/users\\/\\([0-9][0-9]*\\).*/\\1/p' | head -n 1` };
  let id: unknown;
  try {
    id = JSON.parse(x.response.body)?.id;
  } catch {}
  if (Number.isSafeInteger(id)) return { id: String(id), extract: `grep -o '"id": *[0-9][0-9]*' | head -n 1 | tr -dc '0-9'` };
  return undefined;
}

/** Sets `reproduce` on every failed check of the report (in place); returns the report. */
export function addReproducers(report: Report): Report {
  for (const target of report.targets) {
    for (const check of target.checks) {
      const lines = reproducer(target, check);
      if (lines) check.reproduce = lines;
    }
  }
  return report;
}
