// Renders reports/conformance.json as one self-contained HTML page: a matrix with the targets as
// columns and the checks as rows, grouped by contract section and then by profile. No network, no
// script. Every string from the report is escaped: it holds server output.
import type { RecordedExchange } from "../http.js";
import type { Report, ReportCheck, ReportTarget } from "../report-types.js";
import { tally, type Tally } from "./badges.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type State = "pass" | "fail" | "warn" | "skip" | "none";
const SYMBOL: Record<State, string> = { pass: "✓", fail: "✗", warn: "!", skip: "–", none: "·" };
const LABEL: Record<State, string> = {
  pass: "passed",
  fail: "failed",
  warn: "failed, not gating", // or "expected failure", when expectations.json lists it
  skip: "skipped",
  none: "not in this run",
};

function stateOf(c: ReportCheck | undefined): State {
  if (!c) return "none";
  if (c.outcome === "passed") return "pass";
  if (c.outcome === "skipped") return "skip";
  return c.expected || c.gating === false ? "warn" : "fail";
}

const CSS = `
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px}
.legend span{margin-right:12px}
table{border-collapse:collapse;margin-top:12px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
thead th{background:#f4f4f4;position:sticky;top:0;min-width:170px;font-weight:normal}
thead th .name{font-weight:bold;font-size:14px}
.meta{color:#555;font-size:12px}
.meta code{font-size:11px;word-break:break-all}
tr.section th{background:#dde4ee;font-size:14px}
tr.profile th{background:#eef1f5;font-weight:normal;font-style:italic}
th.check{font-weight:normal;max-width:420px}
.id{font-family:monospace;color:#555;margin-right:6px}
td.pass{background:#d8f5d8}td.fail{background:#f9d0d0}td.warn{background:#fde7b0}
td.skip{background:#e6e6e6;color:#555}td.none{background:#fff;color:#999}
.sym{font-weight:bold;margin-right:4px}
.now{display:inline-block;background:#1a7f37;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
details summary{cursor:pointer}
pre{white-space:pre-wrap;word-break:break-word;max-width:520px;max-height:320px;overflow:auto;
background:#fff;border:1px solid #ddd;padding:4px;margin:4px 0;font-size:11px}
`;

function pre(text: string): string {
  return `<pre>${esc(text)}</pre>`;
}

function exchangeHtml(x: RecordedExchange, i: number): string {
  const headers = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join("\n");
  const req = `${x.request.method} ${x.request.url}\n${headers(x.request.headers)}${x.request.body !== undefined ? `\n\n${x.request.body}` : ""}`;
  const res = x.response ? `HTTP ${x.response.status}\n${headers(x.response.headers)}\n\n${x.response.body}` : "";
  return `<div class="exchange"><b>Exchange ${i + 1}</b> request:${pre(req)}${
    x.response ? `response:${pre(res)}` : ""
  }${x.error ? `error:${pre(x.error)}` : ""}</div>`;
}

function cellHtml(c: ReportCheck | undefined): string {
  const state = stateOf(c);
  const now = c?.nowPassing ? ` <span class="now" title="passes, but expectations.json lists it: the list can shrink">now passing</span>` : "";
  const label = state === "warn" && c?.expected ? "expected failure" : LABEL[state];
  const head = `<span class="sym" aria-hidden="true">${SYMBOL[state]}</span>${label}${now}`;
  const title = c?.durationMs !== undefined ? ` title="${c.durationMs} ms"` : "";
  if (!c || state === "pass") return `<td class="${state}"${title}>${head}</td>`;
  const expected = c.expected ? `<div>Expected: <b>${esc(c.expected.outcome)}</b> — ${esc(c.expected.reason)}</div>` : "";
  const reason = c.reason ? `<div>Reason: ${esc(c.reason)}</div>` : "";
  if (state === "skip") return `<td class="${state}"${title}>${head}${reason}</td>`;
  const body = [
    expected,
    reason,
    ...(c.exchanges ?? []).map(exchangeHtml),
    c.log ? `<div><b>Server log</b>${pre(c.log)}</div>` : "",
  ].join("");
  return `<td class="${state}"${title}><details><summary>${head}</summary>${body}</details></td>`;
}

const counts = (m: Map<string, Tally>) =>
  [...m].map(([k, t]) => `${esc(k)} ${t.passed}/${t.ran}${t.skipped ? ` (${t.skipped} skipped)` : ""}`).join("<br>");
const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? url : "#");

function targetHeader(t: ReportTarget, suiteVersion: string): string {
  const m = t.manifest;
  const levels = tally(t.checks, "level");
  const byLevel = new Map(["MUST", "SHOULD", "MAY"].flatMap((l) => (levels.has(l) ? [[l, levels.get(l)!] as const] : [])));
  const lines = [
    m && `${esc(m.language)} · ${esc(m.framework)} ${esc(m.version)}`,
    m && `<a href="${esc(safeHref(m.homepage))}">${esc(m.homepage)}</a>`,
    `kind: ${esc(t.kind)}`,
    t.image && `image: <code>${esc(t.image)}</code>`,
    t.imageId && `digest: <code title="${esc(t.imageId)}">${esc(t.imageId.slice(0, 19))}…</code>`,
    t.url && `url: <code>${esc(t.url)}</code>`,
    `claims: ${t.profiles.length ? esc(t.profiles.join(", ")) : "core only"}`,
    `suite ${esc(suiteVersion)}`,
    `<b>${counts(byLevel)}</b>`,
    counts(tally(t.checks, "profile")),
  ];
  return `<th scope="col"><div class="name">${esc(t.name)}</div><div class="meta">${lines.filter(Boolean).join("<br>")}</div></th>`;
}

interface Row {
  meta: ReportCheck;
  cells: (ReportCheck | undefined)[];
}

/** The contract's headings, in its order; the matrix follows it. */
const CONTRACT_ORDER = ["The container", "The resource", "Endpoints", "Listing and pagination", "Ids in paths", "Bodies (POST, PUT, PATCH)", "Errors", "Concurrency", "Graceful shutdown"];
const place = (section: string) => (CONTRACT_ORDER.indexOf(section) + CONTRACT_ORDER.length + 1) % (CONTRACT_ORDER.length + 1);

/** Rows grouped by section (in the contract's order), then profile (core first), then id. */
function groups(report: Report): Map<string, Map<string, Row[]>> {
  const byId = new Map<string, Row>();
  report.targets.forEach((t, i) => {
    for (const c of t.checks) {
      let row = byId.get(c.id);
      if (!row) byId.set(c.id, (row = { meta: c, cells: report.targets.map(() => undefined) }));
      row.cells[i] = c;
    }
  });
  const rank = (p: string) => (p === "core" ? "" : p);
  const rows = [...byId.values()].sort(
    (a, b) =>
      place(a.meta.section) - place(b.meta.section) ||
      rank(a.meta.profile).localeCompare(rank(b.meta.profile)) ||
      a.meta.id.localeCompare(b.meta.id, "en", { numeric: true }),
  );
  const out = new Map<string, Map<string, Row[]>>();
  for (const row of rows) {
    const section = out.get(row.meta.section) ?? new Map<string, Row[]>();
    out.set(row.meta.section, section);
    section.set(row.meta.profile, [...(section.get(row.meta.profile) ?? []), row]);
  }
  return out;
}

export function renderHtml(report: Report): string {
  const span = report.targets.length + 1;
  const body: string[] = [];
  for (const [section, profiles] of groups(report)) {
    body.push(`<tr class="section"><th colspan="${span}" scope="rowgroup">${esc(section)}</th></tr>`);
    for (const [profile, rows] of profiles) {
      body.push(`<tr class="profile"><th colspan="${span}" scope="rowgroup">profile: ${esc(profile)}</th></tr>`);
      for (const { meta, cells } of rows) {
        const check = `<th scope="row" class="check"><span class="id">${esc(meta.id)}</span>${esc(meta.title)}</th>`;
        body.push(`<tr>${check}${cells.map(cellHtml).join("")}</tr>`);
      }
    }
  }
  const legend = (["pass", "fail", "warn", "skip"] as const)
    .map((s) => `<span><span class="sym">${SYMBOL[s]}</span>${s === "warn" ? "expected failure, or failed but not gating" : LABEL[s]}</span>`)
    .join("");
  const { suite } = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(suite.name)} ${esc(suite.version)}: conformance</title><style>${CSS}</style></head>
<body>
<h1>${esc(suite.name)} ${esc(suite.version)} — contract ${esc(suite.contract)}</h1>
<div class="meta">run ${esc(report.startedAt)} → ${esc(report.finishedAt)} · ${report.targets.length} target(s)</div>
<div class="legend meta">${legend}<span><span class="now">now passing</span> expected to fail, but passed</span></div>
<table id="matrix">
<thead><tr><th scope="col">check</th>${report.targets.map((t) => targetHeader(t, suite.version)).join("")}</tr></thead>
<tbody>
${body.join("\n")}
</tbody>
</table>
</body></html>
`;
}
