// Renders reports/conformance.json as one self-contained HTML page (no network; one inline script):
//   1. a summary card per target (score, profiles, badge, digest, failures by section, trend);
//   2. a features table (profiles × targets);
//   3. the matrix (checks × targets) with views: all, failures, differences, changed, one section,
//      a text search; the view lives in the URL fragment, and every check id is an anchor. Every
//      failure opens to a reproducer (curl lines), the responses the check got and the server log;
//   4. the changes across runs, from the history folder.
// Every string from the report is escaped: it holds server output.
import { makeBadge } from "badge-maker";
import type { RecordedExchange } from "../client/http.js";
import type { Report, ReportCheck, ReportTarget } from "./types.js";
import { badgeName, passedProfiles, percent, slug, tally, targetBadge, type Tally } from "./badges.js";
import { OPTIONAL_PROFILES, SECTION_ORDER, type Section } from "../base/catalogue.js";
import { changes as findChanges, FLAKY_RUNS, trends, withCurrent, type Change, type History, type HistoryRun, type TrendPoint } from "./history.js";
import { PAGE_SCRIPT } from "./page-script.js";
import { curlLines } from "../client/curl.js";
import { replay, reproducer } from "./reproduce.js";

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

/** The frame of every <pre> on the page: requests, responses, server logs and reproducers. */
const PRE_BOX = "max-height:340px;overflow:auto;background:#fff;border:1px solid #d1d9e0;border-radius:4px;padding:6px;margin:2px 0;font-size:12px";

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:16px;color:#1f2328;max-width:1600px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:0}
h4{font-size:13px;margin:10px 0 4px}
a{color:#0550ae}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0 4px}
.meta{color:#59636e;font-size:12px}
code{font-size:12px;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:12px}
.card{border:1px solid #d1d9e0;border-radius:8px;padding:12px;background:#fff;display:flex;flex-direction:column;gap:6px}
.card-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:4px 8px}
.card-head h3{flex:1 1 10em;min-width:0;overflow-wrap:anywhere;word-break:normal}
.card-head img{display:block;height:20px}
.score{font-size:13px}.score .pct{font-size:26px;font-weight:600;margin-right:6px}
.pct.c-brightgreen{color:#1a7f37}.pct.c-yellow{color:#9a6700}.pct.c-red{color:#cf222e}.pct.c-lightgrey{color:#59636e}
.lbl{color:#59636e;font-size:12px;margin-right:4px}
.chip{display:inline-block;border-radius:10px;padding:0 7px;margin:1px 2px;font-size:12px;background:#eef1f5;border:1px solid #d1d9e0}
.chip.ok{background:#dafbe1;border-color:#aceebb}.chip.bad{background:#ffebe9;border-color:#ffcecb}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:0 8px;margin:0;font-size:12px}
dl.facts dt{color:#59636e}dl.facts dd{margin:0;min-width:0}
ul.fails{margin:0;padding-left:18px;font-size:13px}
table.trend{border-collapse:collapse;font-size:12px;width:100%}table.trend td{border:0;padding:1px 6px 1px 0;white-space:nowrap;vertical-align:middle}
table.trend td.n{text-align:right}table.trend td.spark{width:100%}
svg.spark{display:block;color:#0969da;max-width:100%;height:auto}
table{border-collapse:collapse}
th,td{border:1px solid #d1d9e0;padding:4px 6px;vertical-align:top;text-align:left}
.features td{text-align:center;white-space:nowrap}.features th{white-space:nowrap}
.features td.pass{background:#dafbe1}.features td.fail{background:#ffebe9}.features td.none{color:#8c959f}
form#views{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:8px 0;padding:8px;background:#f6f8fa;border:1px solid #d1d9e0;border-radius:8px}
form#views fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 10px}
form#views label{white-space:nowrap}
form#views input[type=search]{min-width:14em;font:inherit;padding:2px 6px}
form#views select{font:inherit;max-width:100%}
.matrix-wrap{overflow:auto;max-height:88vh;border:1px solid #d1d9e0}
.table-wrap{overflow-x:auto}
#matrix{min-width:100%}
#matrix thead th{background:#f6f8fa;position:sticky;top:0;z-index:2;min-width:150px;font-weight:normal}
#matrix thead th .name{font-weight:600}
#matrix th.check{font-weight:normal;min-width:260px;max-width:460px;position:sticky;left:0;background:#fff;z-index:1}
#matrix thead th:first-child{left:0;z-index:3}
tr.section th{background:#dde4ee;font-size:14px}tr.profile th{background:#eef1f5;font-weight:normal;font-style:italic}
tr.section th span,tr.profile th span{position:sticky;left:6px}
.id{font-family:ui-monospace,monospace;margin-right:6px;color:#59636e;text-decoration:none}
tr.check:target th.check,tr.check:target td{outline:2px solid #0969da;outline-offset:-2px}
td.pass{background:#dafbe1}td.fail{background:#ffcecb}td.warn{background:#fff1c2}
td.skip{background:#eef1f5;color:#59636e}td.none{background:#fff;color:#8c959f}
td .why{display:block;font-size:11px;color:#59636e}
.sym{font-weight:bold;margin-right:4px}
.now{display:inline-block;background:#1a7f37;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
.chg{display:inline-block;font-size:11px;border-radius:3px;padding:0 4px;background:#ddf4ff;margin-left:4px;text-decoration:none}
tr.detail td{background:#fbfbfc;padding:2px 6px}
tr.detail summary{cursor:pointer;font-size:13px}
tr.detail details[open]{padding-bottom:8px}
.detail-body{position:sticky;left:6px;max-width:min(1200px,calc(100vw - 60px))}
.xchg{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:4px 0}
pre{white-space:pre-wrap;word-break:break-word;${PRE_BOX}}
pre.repro{background:#0d1117;color:#e6edf3;border-color:#0d1117}
button.copy{font:inherit;font-size:12px;margin-left:8px}
table.changes td ul{margin:0;padding-left:18px}
.legend span{margin-right:12px}
@media (max-width:700px){
  body{padding:8px}
  .cards{grid-template-columns:1fr}
  #matrix th.check{min-width:170px;max-width:58vw}
  #matrix thead th{min-width:110px}
  .xchg{grid-template-columns:1fr}
  form#views label.search{display:flex;gap:6px;align-items:center;flex:1 1 100%;white-space:normal}
  form#views input[type=search]{min-width:0;flex:1 1 auto}
}
`;

const pre = (text: string, attrs = "") => `<pre${attrs}>${esc(text)}</pre>`;
const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? url : "#");
const when = (iso: string) => esc(iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC"));
const failId = (t: ReportTarget, id: string) => `fail-${slug(t.name)}-${id}`;

/** A section's place in the contract's order (harness/base/catalogue.ts); the matrix follows it. */
function place(section: Section): number {
  const at = SECTION_ORDER.indexOf(section);
  if (at < 0) throw new Error(`the report cites section "${section}", which harness/base/catalogue.ts does not list: add it there, in contract order`);
  return at;
}

interface Row {
  meta: ReportCheck;
  cells: (ReportCheck | undefined)[];
}

/** One row per check id, in the contract's section order, then profile (core first), then id. */
function rowsOf(report: Report): Row[] {
  const byId = new Map<string, Row>();
  report.targets.forEach((t, i) => {
    for (const c of t.checks) {
      let row = byId.get(c.id);
      if (!row) {
        row = { meta: c, cells: report.targets.map(() => undefined) };
        byId.set(c.id, row);
      }
      row.cells[i] = c;
    }
  });
  const rank = (p: string) => (p === "core" ? "" : p);
  return [...byId.values()].sort(
    (a, b) =>
      place(a.meta.section) - place(b.meta.section) ||
      rank(a.meta.profile).localeCompare(rank(b.meta.profile)) ||
      a.meta.id.localeCompare(b.meta.id, "en", { numeric: true }),
  );
}

/**
 * The targets differ on a check when those that ran it got different outcomes. An expected skip
 * (expectations.json) counts as an outcome; a check a target could not run (a url: target cannot
 * restart the server) does not.
 */
export function differs(cells: (ReportCheck | undefined)[]): boolean {
  const keys = new Set<string>();
  for (const c of cells) {
    if (!c || (c.outcome === "skipped" && c.expected?.outcome !== "skip")) continue;
    keys.add(c.outcome);
  }
  return keys.size > 1;
}

// ---- summary -------------------------------------------------------------------------------------

const dataUri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;

function sparkline(values: number[], label: string): string {
  const w = 90,
    h = 22,
    pad = 3;
  const hi = Math.max(...values);
  const lo = Math.min(Math.min(...values), hi - 0.02);
  const x = (i: number) => (values.length === 1 ? w - pad : pad + (i * (w - 2 * pad)) / (values.length - 1));
  const y = (v: number) => pad + ((hi - v) / (hi - lo)) * (h - 2 * pad);
  const pts = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  const dots = values.length <= 40 ? values.map((v, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.6"/>`).join("") : "";
  const last = values.length - 1;
  return `<svg class="spark" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>${
    values.length > 1 ? `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${pts.join(" ")}"/>` : ""
  }<g fill="currentColor">${dots}</g><circle cx="${x(last).toFixed(1)}" cy="${y(values[last]!).toFixed(1)}" r="2.6" fill="currentColor"/></svg>`;
}

function trendHtml(points: TrendPoint[], runs: HistoryRun[]): string {
  const profiles = [...new Set(points.flatMap((p) => Object.keys(p.scores)))].sort((a, b) => (a === "core" ? -1 : b === "core" ? 1 : a.localeCompare(b)));
  const rows = profiles.flatMap((profile) => {
    const series = points.filter((p) => p.scores[profile]?.ran);
    if (!series.length) return [];
    const values = series.map((p) => p.scores[profile]!.passed / p.scores[profile]!.ran);
    const fmt = (v: number) => `${Math.floor(v * 100)}%`;
    const startedAt = (p: TrendPoint) => runs[p.run]!.startedAt.slice(0, 16).replace("T", " ");
    const label = `${profile} over ${series.length} run(s): ${series.map((p, i) => `${fmt(values[i]!)} (${startedAt(p)})`).join(" → ")}`;
    const now = series.at(-1)!.scores[profile]!;
    const numbers = `<td class="n">${now.passed}/${now.ran}</td><td class="n">${fmt(values.at(-1)!)}</td>`;
    return [`<tr><td>${esc(profile)}</td>${numbers}<td class="spark">${sparkline(values, label)}</td></tr>`];
  });
  const note =
    points.length < 2
      ? `<div class="meta">one run so far: set CONFORMANCE_HISTORY_DIR to keep each run and see a trend</div>`
      : `<div class="meta">last ${points.length} runs</div>`;
  return `<div class="trend"><span class="lbl">trend</span>${note}<table class="trend">${rows.join("")}</table></div>`;
}

function card(report: Report, t: ReportTarget, trend: TrendPoint[], runs: HistoryRun[]): string {
  const m = t.manifest;
  const byProfile = tally(t.checks, "profile");
  const core = byProfile.get("core");
  const badge = targetBadge(t);
  const pct = percent(core);
  const passed = passedProfiles(t);
  const claims = t.profiles.length
    ? t.profiles
        .map((p) => {
          const tl = byProfile.get(p);
          if (!tl?.ran) return `<span class="chip" title="claimed; no check of it ran">– ${esc(p)}</span>`;
          const ok = passed.includes(p);
          const title = ok ? "claimed and passed" : `claimed; ${tl.failed} failed of ${tl.ran} that ran`;
          return `<span class="chip ${ok ? "ok" : "bad"}" title="${title}">${ok ? "✓" : "✗"} ${esc(p)}</span>`;
        })
        .join("")
    : `<span class="meta">core only</span>`;
  const passes = passed.length
    ? passed.map((p) => `<span class="chip ok">${esc(p)}${t.profiles.includes(p) ? "" : ` <span class="meta">(not claimed)</span>`}</span>`).join("")
    : `<span class="meta">no optional profile</span>`;

  const bySection = new Map<Section, { all: number; gating: number }>();
  for (const c of t.checks) {
    if (c.outcome !== "failed") continue;
    const n = bySection.get(c.section) ?? { all: 0, gating: 0 };
    n.all++;
    if (stateOf(c) === "fail") n.gating++;
    bySection.set(c.section, n);
  }
  const fails = bySection.size
    ? `<ul class="fails">${[...bySection]
        .sort(([a], [b]) => place(a) - place(b))
        .map(([section, n]) => {
          const href = `#${new URLSearchParams({ view: "failures", section })}`;
          const gating = n.gating === n.all ? "" : ` <span class="meta">(${n.all - n.gating} not gating)</span>`;
          return `<li><a href="${esc(href)}">${esc(section)}</a>: ${n.all}${gating}</li>`;
        })
        .join("")}</ul>`
    : ` <span class="chip ok">none</span>`;
  const facts = [
    ["kind", esc(t.kind)],
    t.image && ["image", `<code>${esc(t.image)}</code>`],
    [
      "digest",
      t.imageId
        ? `<code title="${esc(t.imageId)}">${esc(t.imageId.slice(0, 19))}…</code>`
        : `<span class="meta">${t.kind === "url" ? "none (url: target)" : "unknown"}</span>`,
    ],
    t.url && ["url", `<code>${esc(t.url)}</code>`],
    ["suite", `${esc(report.suite.name)} ${esc(report.suite.version)} · contract ${esc(report.suite.contract)}`],
  ].filter((f): f is string[] => Boolean(f));
  const skipped = core?.skipped ? `; ${core.skipped} skipped` : "";
  const badgeLink = `<a href="badges/${esc(badgeName(t))}.svg"><img alt="conformance: ${esc(badge.message)}" src="${dataUri(makeBadge(badge))}"></a>`;
  const homepage = m ? `<a href="${esc(safeHref(m.homepage))}">${esc(m.homepage)}</a>` : "";
  const about = m ? `<div class="meta">${esc(m.language)} · ${esc(m.framework)} ${esc(m.version)} · ${homepage}</div>` : "";
  const score = `<span class="pct c-${esc(badge.color)}">${pct === null ? "n/a" : `${pct}%`}</span>`;
  return `<article class="card" id="t-${esc(slug(t.name))}">
<div class="card-head"><h3>${esc(t.name)}</h3>${badgeLink}</div>
${about}
<div class="score">${score}core <span class="meta">(${core?.passed ?? 0} of ${core?.ran ?? 0} that ran passed${skipped})</span></div>
<div><span class="lbl">claims</span>${claims}</div>
<div><span class="lbl">passes</span>${passes}</div>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>
<div><span class="lbl">failures by section</span>${fails}</div>
${trendHtml(trend, runs)}
</article>`;
}

function features(report: Report): string {
  const profiles = ["core", ...OPTIONAL_PROFILES];
  const head = profiles.map((p) => `<th scope="col" data-profile="${esc(p)}">${esc(p)}</th>`).join("");
  const rows = report.targets.map((t) => {
    const byProfile = tally(t.checks, "profile");
    const cells = profiles.map((p) => {
      const n: Tally | undefined = byProfile.get(p);
      const claimed = p === "core" || t.profiles.includes(p);
      const mark = claimed ? " ●" : "";
      if (!n?.ran) return `<td class="none" title="${n ? "no check ran" : "no check in this run"}${claimed ? "; claimed" : ""}">—${mark}</td>`;
      const ok = n.failed === 0;
      const title = `${n.passed} of ${n.ran} passed${claimed ? "; claimed" : "; not claimed"}`;
      return `<td class="${ok ? "pass" : "fail"}" title="${title}">${ok ? "✓" : "✗"} ${n.passed}/${n.ran}${mark}</td>`;
    });
    return `<tr><th scope="row"><a href="#t-${esc(slug(t.name))}">${esc(t.name)}</a></th>${cells.join("")}</tr>`;
  });
  return `<section id="features"><h2>Features</h2>
<div class="meta">Profiles × targets: checks passed of those that ran; ● the target claims the profile (core always).</div>
<div class="table-wrap"><table class="features"><thead><tr><th scope="col">target</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div>
</section>`;
}

// ---- matrix --------------------------------------------------------------------------------------

function responseText(x: RecordedExchange): string {
  const headers = (h: Record<string, string>) =>
    Object.entries(h)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n");
  if (x.response) return `HTTP ${x.response.status}\n${headers(x.response.headers)}\n\n${x.response.body}`;
  return `no response: ${x.error ?? "unknown error"}`;
}

function failureHtml(t: ReportTarget, c: ReportCheck, span: number): string {
  const state = stateOf(c);
  const id = failId(t, c.id);
  const steps = replay(t, c);
  const lines = c.reproduce ?? reproducer(t, c) ?? [];
  const label = state === "warn" && c.expected ? "expected failure" : LABEL[state];
  const expected = c.expected ? `<div>Expected: <b>${esc(c.expected.outcome)}</b> — ${esc(c.expected.reason)}</div>` : "";
  const exchanges = (c.exchanges ?? [])
    .map((x, i) => {
      const request = pre((steps?.steps[i] ?? curlLines(x.request)).join("\n"));
      return `<div class="xchg"><div><h4>Request ${i + 1}</h4>${request}</div><div><h4>Response ${i + 1}</h4>${pre(responseText(x))}</div></div>`;
    })
    .join("");
  const summary = `<summary><span class="sym">${SYMBOL[state]}</span><b>${esc(t.name)}</b> ${esc(label)}: ${esc(c.reason ?? "")}</summary>`;
  const copy = `<button type="button" class="copy" data-copy="r-${esc(id)}" hidden>copy</button>`;
  const log = c.log ? `<h4>Server log <span class="meta">(last lines)</span></h4>${pre(c.log)}` : "";
  return `<tr class="detail" data-for="${esc(c.id)}"><td colspan="${span}"><details id="${esc(id)}">${summary}
<div class="detail-body">${expected}
<h4>Reproduce <span class="meta">(paste into a shell)</span>${copy}</h4>${pre(lines.join("\n"), ` class="repro" id="r-${esc(id)}"`)}
${exchanges}${log}</div></details></td></tr>`;
}

function cellHtml(t: ReportTarget, c: ReportCheck | undefined): string {
  const state = stateOf(c);
  const now = c?.nowPassing ? ` <span class="now" title="passes, but expectations.json lists it: the list can shrink">now passing</span>` : "";
  const label = state === "warn" && c?.expected ? "expected failure" : LABEL[state];
  const waited = c?.waitMs ? `, after ${c.waitMs} ms waiting for a server` : "";
  const note = c?.note ? `; ${esc(c.note)}` : "";
  const title = c?.durationMs !== undefined ? ` title="${c.durationMs} ms${waited}${note}"` : "";
  const head = `<span class="sym" aria-hidden="true">${SYMBOL[state]}</span>${label}`;
  if (!c || state === "pass" || state === "none") return `<td class="${state}"${title}>${head}${now}</td>`;
  if (state === "skip") return `<td class="${state}"${title}>${head}${c.reason ? `<span class="why">${esc(c.reason)}</span>` : ""}</td>`;
  return `<td class="${state}"${title}><a href="#${esc(failId(t, c.id))}">${head}</a><span class="why">${esc(c.reason ?? "")}</span></td>`;
}

function targetHeader(t: ReportTarget): string {
  const core = tally(t.checks, "profile").get("core");
  const name = `<div class="name"><a href="#t-${esc(slug(t.name))}">${esc(t.name)}</a></div>`;
  return `<th scope="col">${name}<div class="meta">core ${core?.passed ?? 0}/${core?.ran ?? 0}</div></th>`;
}

const VIEW_LABELS = { all: "All checks", failures: "Failures", differences: "Differences", changed: "Changed across runs" } as const;

const DIFFERENCES_NOTE =
  "<span>Differences: the targets that ran a check got different outcomes " +
  "(a check a target cannot run, such as a restart on a url: target, does not count).</span>";

function matrix(report: Report, rows: Row[], changed: Map<string, Map<string, Change[]>>): string {
  const span = report.targets.length + 1;
  const flags = rows.map((r) => ({
    failures: r.cells.some((c) => c?.outcome === "failed"),
    differences: differs(r.cells),
    changed: changed.has(r.meta.id),
  }));
  const count = (k: keyof (typeof flags)[number]) => flags.filter((f) => f[k]).length;
  const sections = [...new Set(rows.map((r) => r.meta.section))];
  const body: string[] = [];
  let section = "";
  let profile = "";
  rows.forEach((row, i) => {
    const { meta, cells } = row;
    if (meta.section !== section) {
      section = meta.section;
      profile = "";
      body.push(`<tr class="section"><th colspan="${span}" scope="rowgroup"><span>${esc(section)}</span></th></tr>`);
    }
    if (meta.profile !== profile) {
      profile = meta.profile;
      body.push(`<tr class="profile"><th colspan="${span}" scope="rowgroup"><span>profile: ${esc(profile)}</span></th></tr>`);
    }
    const f = flags[i]!;
    const data = [
      `data-section="${esc(meta.section)}"`,
      `data-text="${esc(`${meta.id} ${meta.title}`.toLowerCase())}"`,
      `data-failures="${+f.failures}" data-differences="${+f.differences}" data-changed="${+f.changed}"`,
    ].join(" ");
    const n = [...(changed.get(meta.id)?.values() ?? [])].reduce((s, cs) => s + cs.length, 0);
    const chg = f.changed
      ? `<a class="chg" href="#changes-${esc(meta.id)}" title="outcome changed across runs: see Changes">⟲ ${n} change${n === 1 ? "" : "s"}</a>`
      : "";
    const check = `<th scope="row" class="check"><a class="id" href="#${esc(meta.id)}">${esc(meta.id)}</a>${esc(meta.title)}${chg}</th>`;
    body.push(`<tr class="check" id="${esc(meta.id)}" ${data}>${check}${cells.map((c, j) => cellHtml(report.targets[j]!, c)).join("")}</tr>`);
    cells.forEach((c, j) => {
      if (c?.outcome === "failed") body.push(failureHtml(report.targets[j]!, c, span));
    });
  });
  const views = (Object.keys(VIEW_LABELS) as (keyof typeof VIEW_LABELS)[])
    .map((v) => {
      const n = v === "all" ? rows.length : count(v);
      return `<label><input type="radio" name="view" value="${v}"${v === "all" ? " checked" : ""}> ${VIEW_LABELS[v]} <span class="meta">(${n})</span></label>`;
    })
    .join("");
  const options = sections.map((s) => `<option value="${esc(s)}">${esc(s)} (${rows.filter((r) => r.meta.section === s).length})</option>`).join("");
  const legend = (["pass", "fail", "warn", "skip"] as const)
    .map((s) => `<span><span class="sym">${SYMBOL[s]}</span>${s === "warn" ? "expected failure, or failed but not gating" : LABEL[s]}</span>`)
    .join("");
  return `<section id="checks"><h2>Checks</h2>
<form id="views" role="search" aria-label="views of the matrix">
<fieldset><legend class="lbl">view</legend>${views}</fieldset>
<label>section <select name="section"><option value="">all sections</option>${options}</select></label>
<label class="search">search <input type="search" name="q" placeholder="id or title, e.g. ERR-01 or 413"></label>
<span id="shown" class="meta" aria-live="polite">${rows.length} of ${rows.length} checks</span>
</form>
<div class="legend meta">${legend}<span><span class="now">now passing</span> expected to fail, but passed</span>
${DIFFERENCES_NOTE}</div>
<div class="matrix-wrap"><table id="matrix">
<thead><tr><th scope="col">check</th>${report.targets.map(targetHeader).join("")}</tr></thead>
<tbody>
${body.join("\n")}
<tr id="empty" hidden><td colspan="${span}">No check matches this view.</td></tr>
</tbody>
</table></div>
</section>`;
}

// ---- changes -------------------------------------------------------------------------------------

function runLabel(runs: HistoryRun[], i: number): string {
  const r = runs[i]!;
  const commit = r.commit ? ` · ${r.runUrl ? `<a href="${esc(safeHref(r.runUrl))}">${esc(r.commit.slice(0, 7))}</a>` : esc(r.commit.slice(0, 7))}` : "";
  return `run ${i + 1} (${when(r.startedAt)}${commit})`;
}

function changeHtml(c: Change, runs: HistoryRun[]): string {
  if (c.kind === "transition") return `<li>${runLabel(runs, c.at)}: <b>${esc(c.from)} → ${esc(c.to)}</b></li>`;
  const between = `${runLabel(runs, c.first)} and ${runLabel(runs, c.last)}`;
  return `<li><b>flaky</b> (${esc(c.outcomes.join(" ⇄ "))}): ${c.flips} changes between ${between}, then ${esc(c.to)}</li>`;
}

function changesSection(report: Report, history: History, changed: Map<string, Map<string, Change[]>>): string {
  const { runs } = history;
  const titles = new Map(report.targets.flatMap((t) => t.checks.map((c) => [c.id, c.title] as const)));
  const span = runs.length ? `${runs.length} run(s), ${when(runs[0]!.startedAt)} → ${when(runs.at(-1)!.startedAt)}` : "no runs";
  const skipped = history.skipped.length ? `<div class="meta">left out of the history: ${history.skipped.map(esc).join("; ")}</div>` : "";
  const rows: string[] = [];
  for (const [id, byTarget] of changed) {
    let first = true;
    for (const [target, list] of byTarget) {
      const title = titles.get(id);
      const name = title ? esc(title) : `<span class="meta">(not in this run)</span>`;
      const head = first
        ? `<th scope="rowgroup" rowspan="${byTarget.size}" id="changes-${esc(id)}"><a class="id" href="#${esc(id)}">${esc(id)}</a>${name}</th>`
        : "";
      rows.push(
        `<tr>${head}<td>${esc(target)}</td><td><ul>${[...list]
          .reverse()
          .map((c) => changeHtml(c, runs))
          .join("")}</ul></td></tr>`,
      );
      first = false;
    }
  }
  const table = rows.length
    ? [
        `<div class="table-wrap"><table class="changes">`,
        `<thead><tr><th scope="col">check</th><th scope="col">target</th><th scope="col">changes, newest first</th></tr></thead>`,
        `<tbody>${rows.join("")}</tbody></table></div>`,
      ].join("")
    : `<p>No check changed its outcome across these runs.</p>`;
  const about =
    `${span} (CONFORMANCE_HISTORY_DIR). ` +
    "Only the runs in which a check's outcome differs from the target's previous run of it are listed (transitions).\n" +
    `Flaky: an outcome that held for at most ${FLAKY_RUNS} consecutive runs before the one it replaced came back (A→B→A); ` +
    "back-and-forth flips fold into one entry.";
  return `<section id="changes"><h2>Changes across runs</h2>
<div class="meta">${about}</div>
${skipped}${table}</section>`;
}

// ---- page ----------------------------------------------------------------------------------------

export interface PageOptions {
  /** Runs from the history folder, oldest first; the current run is added when it is not among them. */
  history?: History;
  /** Link to bench.html (the benchmark page beside index.html). */
  bench?: boolean;
}

export function renderHtml(report: Report, options: PageOptions = {}): string {
  const history = withCurrent(options.history ?? { runs: [], skipped: [] }, report);
  const trendOf = trends(history.runs);
  const changed = findChanges(history.runs);
  const rows = rowsOf(report);
  const { suite } = report;
  const nav = [
    `<a href="#summary">Summary</a>`,
    `<a href="#features">Features</a>`,
    `<a href="#checks">Checks</a>`,
    `<a href="#changes">Changes across runs</a>`,
    options.bench ? `<a href="bench.html">Benchmark</a>` : "",
    `<a href="conformance.json">conformance.json</a>`,
    `<a href="implementations.json">implementations.json</a>`,
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(suite.name)} ${esc(suite.version)}: conformance</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(suite.name)} ${esc(suite.version)} — contract ${esc(suite.contract)}</h1>
<div class="meta">run ${when(report.startedAt)} → ${when(report.finishedAt)} · ${report.targets.length} target(s) · ${rows.length} checks</div>
<nav>${nav.join("")}</nav></header>
<section id="summary"><h2>Summary</h2><div class="cards">
${report.targets.map((t) => card(report, t, trendOf.get(t.name) ?? [], history.runs)).join("\n")}
</div></section>
${features(report)}
${matrix(report, rows, changed)}
${changesSection(report, history, changed)}
<script>${PAGE_SCRIPT.replace(/<\//g, "<\\/")}</script>
</body></html>
`;
}
