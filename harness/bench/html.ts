// reports/bench.html: one self-contained page (inline SVG and CSS, nothing loaded from the
// network) with req/s against connections per scenario, the fixed-rate latency percentiles, and
// the summary tables of write.ts' markdown rendered as HTML.
import { renderMarkdown } from "./markdown.js";
import { fmtNum } from "./stats.js";
import type { BenchReport, LadderPoint, Percentiles } from "./types.js";
import { esc } from "../report/html.js";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

/** A "nice" upper bound for an axis. */
function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * e).find((v) => v >= x)!;
}

/** Both charts' size and the plot's margins (left, right, top, bottom); each chart sets R and B. */
const FRAME = { W: 560, H: 300, L: 70, T: 30 };

/** A horizontal grid line across the plot at height y, labelled at its left end. */
const gridLine = (x1: number, x2: number, y: number, label: string) =>
  `<line x1="${x1}" x2="${x2}" y1="${y}" y2="${y}" class="g"/><text x="${x1 - 6}" y="${y + 4}" class="a" text-anchor="end">${label}</text>`;

interface Series {
  name: string;
  points: LadderPoint[];
  dashed?: boolean;
}

/** req/s (median, with the min–max of the runs as a bar) against connections, one line per server. */
export function ladderChart(title: string, ladder: number[], series: Series[]): string {
  const { W, H, L, R, T, B } = { ...FRAME, R: 150, B: 40 };
  const max = niceMax(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.rps.max))));
  const x = (i: number) => L + (ladder.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (ladder.length - 1));
  const y = (v: number) => T + (H - T - B) * (1 - v / max);
  const parts: string[] = [`<text x="${L}" y="18" class="t">${esc(title)}</text>`];
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    parts.push(gridLine(L, W - R, y(v), fmtNum(v)));
  }
  for (const [i, c] of ladder.entries()) parts.push(`<text x="${x(i)}" y="${H - B + 16}" class="a" text-anchor="middle">${c}</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" class="a" text-anchor="middle">connections</text>`);
  parts.push(`<text x="14" y="${(T + H - B) / 2}" class="a" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">req/s</text>`);
  series.forEach((s, n) => {
    const color = s.dashed ? "#777" : COLORS[n % COLORS.length]!;
    const pts = ladder.map((c, i) => ({ i, p: s.points.find((p) => p.connections === c) })).filter((e) => e.p);
    if (!pts.length) return;
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : "";
    const medians = pts.map((e) => `${x(e.i)},${y(e.p!.rps.median)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${medians}"/>`);
    for (const e of pts) {
      const p = e.p!;
      const runs = p.rps.values.map((v) => fmtNum(v)).join(", ");
      const flagged = p.rps.flagged ? ", spread above threshold" : "";
      const tip = `${esc(s.name)}, ${p.connections} connections: ${fmtNum(p.rps.median)} req/s (runs ${runs})${flagged}`;
      parts.push(
        `<line x1="${x(e.i)}" x2="${x(e.i)}" y1="${y(p.rps.min)}" y2="${y(p.rps.max)}" stroke="${color}" stroke-width="1"/>` +
          `<circle cx="${x(e.i)}" cy="${y(p.rps.median)}" r="3.5" fill="${p.rps.flagged ? "#fff" : color}" stroke="${color}"><title>${tip}</title></circle>`,
      );
    }
    const key = T + 14 + n * 18; // the height of this series' swatch in the key, right of the plot
    parts.push(
      `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${key}" y2="${key}" stroke="${color}" stroke-width="2"${dash}/>` +
        `<text x="${W - R + 38}" y="${T + 18 + n * 18}" class="a">${esc(s.name)}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg>`;
}

/** Latency percentiles per target on a log scale, one group of bars per target. */
export function latencyChart(title: string, rows: { name: string; latency: Percentiles; rate: number }[]): string {
  const keys = ["p50", "p90", "p99", "p99.9"] as const;
  const { W, H, L, R, T, B } = { ...FRAME, R: 20, B: 56 };
  const values = rows.flatMap((r) => keys.map((k) => r.latency[k])).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1) / 1.5)); // below the smallest bar, so every bar shows
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, lo * 10)));
  const y = (v: number) => T + (H - T - B) * (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const group = (W - L - R) / Math.max(1, rows.length);
  const bar = Math.min(22, (group - 12) / keys.length);
  const parts: string[] = [`<text x="${L}" y="18" class="t">${esc(title)}</text>`];
  for (let e = Math.log10(lo); e <= Math.log10(hi); e++) {
    const v = 10 ** e;
    parts.push(gridLine(L, W - R, y(v), `${v >= 1 ? fmtNum(v) : v.toPrecision(1)} ms`));
  }
  rows.forEach((r, i) => {
    const gx = L + i * group + (group - bar * keys.length) / 2;
    keys.forEach((k, j) => {
      const v = r.latency[k];
      if (!Number.isFinite(v)) return;
      const tip = `${esc(r.name)} ${k}: ${v.toFixed(3)} ms at ${fmtNum(r.rate)} req/s`;
      parts.push(`<rect x="${gx + j * bar}" y="${y(v)}" width="${bar - 2}" height="${H - B - y(v)}" fill="${COLORS[j]}"><title>${tip}</title></rect>`);
    });
    parts.push(`<text x="${L + i * group + group / 2}" y="${H - B + 16}" class="a" text-anchor="middle">${esc(r.name)}</text>`);
  });
  for (const [j, k] of keys.entries())
    parts.push(
      `<rect x="${L + j * 70}" y="${H - 22}" width="12" height="12" fill="${COLORS[j]}"/><text x="${L + j * 70 + 16}" y="${H - 12}" class="a">${k}</text>`,
    );
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg>`;
}

/** A deliberately small markdown-to-HTML for the tables, headings and paragraphs write.ts emits. */
function markdownToHtml(md: string): string {
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/\*(.+?)\*/g, "<em>$1</em>")
      .replace(/`([^`]+)`/g, "<code>$1</code>");
  const out: string[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("### ")) out.push(`<h3>${inline(line.slice(4))}</h3>`);
    else if (line.startsWith("| ")) {
      const rows: string[][] = [];
      let left: boolean[] = [];
      while (i < lines.length && lines[i]!.startsWith("|")) {
        if (/^\|[-:|]+\|$/.test(lines[i]!))
          left = lines[i]!.slice(1, -1)
            .split("|")
            .map((c) => !c.endsWith(":"));
        else rows.push(lines[i]!.slice(2, -2).split(" | "));
        i++;
      }
      i--;
      const [head, ...body] = rows;
      const cell = (tag: string, c: string, k: number) => `<${tag}${left[k] ? ' class="l"' : ""}>${inline(c)}</${tag}>`;
      const row = (tag: string, cells: string[]) => `<tr>${cells.map((c, k) => cell(tag, c, k)).join("")}</tr>`;
      out.push(`<table><thead>${row("th", head!)}</thead><tbody>${body.map((r) => row("td", r)).join("")}</tbody></table>`);
    } else if (line.startsWith("- ")) out.push(`<li>${inline(line.slice(2))}</li>`);
    else if (line.trim()) out.push(`<p>${inline(line)}</p>`);
  }
  return out.join("\n");
}

export function renderHtml(r: BenchReport): string {
  const charts: string[] = [];
  for (const s of r.plan.scenarios) {
    const title = r.scenarios.find((x) => x.id === s)?.title ?? s;
    const series: Series[] = [
      ...r.targets.map((t) => ({ name: t.name, points: t.ladder.filter((p) => p.scenario === s) })),
      { name: "responder (ceiling)", points: r.ceiling.ladder.filter((p) => p.scenario === s), dashed: true },
    ];
    charts.push(`<figure>${ladderChart(`${title}: req/s against connections`, r.plan.ladder, series)}</figure>`);
    const rows = r.targets.flatMap((t) => {
      const f = t.fixedRate.find((x) => x.scenario === s);
      return f ? [{ name: t.name, latency: f.latencyMs, rate: f.rate }] : [];
    });
    if (rows.length) charts.push(`<figure>${latencyChart(`${title}: latency at ${fmtNum(rows[0]!.rate)} req/s (corrected)`, rows)}</figure>`);
  }
  const about =
    "<p>Generated from <code>reports/bench.json</code> (schema <code>harness/bench/bench.schema.json</code>). " +
    `Points are medians of ${r.plan.repeats} runs; the vertical bars span the runs; ` +
    `a hollow point has a spread above ${(r.plan.spreadThreshold * 100).toFixed(0)} %.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crud-conformance benchmark</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#222}
h1{font-size:22px}h3{margin-top:28px}table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}td.l,th.l{text-align:left}
figure{display:inline-block;margin:8px 12px 8px 0}svg .t{font-size:13px;font-weight:600}svg .a{font-size:11px;fill:#444}svg .g{stroke:#e3e3e3}
code{background:#f3f3f3;padding:0 3px}
</style></head><body>
<h1>crud-conformance benchmark (${esc(r.mode)} run, ${esc(r.startedAt)})</h1>
${about}
<section id="charts">${charts.join("\n")}</section>
<section id="summary">${markdownToHtml(renderMarkdown(r))}</section>
</body></html>
`;
}
