// The HTML report in headless Chromium: summary cards, views and their permalinks, reproducers (their
// text, and that the text replays the failure in a shell), trends and transitions, on a phone too.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium } from "../../harness/run/chromium.js";
import { ROOT } from "../../harness/base/paths.js";
import type { Report, ReportCheck } from "../../harness/report/types.js";
import { differs, renderHtml } from "../../harness/report/html.js";
import { readHistory, type HistoryRun } from "../../harness/report/history.js";
import { addReproducers } from "../../harness/report/reproduce.js";
import { writeReports } from "../../harness/report/write.js";

const SCREENSHOTS = join(ROOT, "reports/screenshots");
const FIXTURE = join(ROOT, "fixtures/report/one-failure");
const sample: Report = JSON.parse(readFileSync(join(ROOT, "fixtures/report/sample-conformance.json"), "utf8"));
const oneFailure: Report = JSON.parse(readFileSync(join(FIXTURE, "conformance.json"), "utf8"));

test("escapes server output and links only http(s) homepages", () => {
  const html = renderHtml(sample);
  expect(html).not.toContain("<script>alert('boom')</script>");
  expect(html).toContain("&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;");
  const evil = structuredClone(sample);
  evil.targets[0]!.manifest!.homepage = "javascript:alert(1)";
  evil.targets[0]!.checks[0]!.title = "</script><script>alert(1)</script>";
  const out = renderHtml(evil);
  expect(out).not.toContain('href="javascript:');
  expect(out.match(/<script>/g)).toHaveLength(1); // the page's own
});

test("a section harness/base/catalogue.ts does not list fails the page in one line, never sorts last unseen", () => {
  const stray = structuredClone(sample);
  stray.targets[0]!.checks[0]!.section = "Nowhere" as ReportCheck["section"];
  expect(() => renderHtml(stray)).toThrow('the report cites section "Nowhere", which harness/base/catalogue.ts does not list: add it there, in contract order');
});

test("the matrix follows the contract's section order, and every failure gets a detail row", () => {
  const html = renderHtml(sample);
  expect([...html.matchAll(/<tr class="section"><th [^>]*><span>([^<]*)<\/span>/g)].map((m) => m[1])).toEqual([
    "The container",
    "The resource",
    "Ids in paths",
    "Errors",
  ]);
  expect([...html.matchAll(/<details id="(fail-[^"]*)"/g)].map((m) => m[1])).toEqual([
    "fail-url-http---127.0.0.1-8080-RES-03",
    "fail-url-http---127.0.0.1-8080-ERR-01",
    "fail-url-http---127.0.0.1-8080-ERR-02",
    "fail-url-http---127.0.0.1-8080-ERR-20",
  ]);
});

test("differences: the targets that ran a check got different outcomes; a check one could not run does not count", () => {
  const c = (outcome: ReportCheck["outcome"], extra: Partial<ReportCheck> = {}) => ({ ...oneFailure.targets[0]!.checks[0]!, outcome, ...extra });
  expect(differs([c("passed"), c("passed")])).toBe(false);
  expect(differs([c("passed"), c("failed")])).toBe(true);
  expect(differs([c("passed"), c("skipped", { reason: "needs a fresh, empty server" })])).toBe(false);
  expect(differs([c("passed"), c("skipped", { expected: { outcome: "skip", reason: "hangs" } })])).toBe(true);
  expect(differs([c("failed"), undefined])).toBe(false);
});

test("links bench.html only when it exists beside the page", () => {
  expect(renderHtml(sample)).not.toContain('href="bench.html"');
  expect(renderHtml(sample, { bench: true })).toContain('href="bench.html"');
  const dir = mkdtempSync(join(tmpdir(), "report-bench-"));
  writeFileSync(join(dir, "bench.html"), "<!doctype html>");
  writeReports(structuredClone(sample), dir);
  expect(readFileSync(join(dir, "index.html"), "utf8")).toContain('href="bench.html"');
});

test("flips back and forth fold into one flaky entry of the changes", () => {
  const [older, newer] = readHistory(join(FIXTURE, "history")).runs as [HistoryRun, HistoryRun];
  const at = (run: HistoryRun, startedAt: string) => ({ ...structuredClone(run), startedAt });
  // RES-14 in go-nethttp: passed, failed, passed, failed (the current run).
  const runs = [older, at(newer, "2025-01-14T11:00:00.000Z"), at(older, "2025-01-14T12:00:00.000Z"), newer];
  const html = renderHtml(oneFailure, { history: { runs, skipped: [] } });
  const changes = html.slice(html.indexOf('<section id="changes">'));
  expect(changes.match(/<li>/g)).toHaveLength(1);
  expect(changes).toContain(
    "<li><b>flaky</b> (passed ⇄ failed): 3 changes between run 2 (2025-01-14 11:00 UTC) and run 4 (2025-01-15 10:00 UTC), then failed</li>",
  );
});

const run = (script: string, env: Record<string, string>) =>
  new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile("sh", ["-c", script], { env: { ...process.env, ...env } }, (_e, stdout, stderr) => resolve({ stdout, stderr })),
  );

/** Answers like go-nethttp with FAULT=missing-500 would, for the fixture's failing check. */
async function brokenStub() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const [status, body] =
        req.method === "POST"
          ? [201, '{"id":7}']
          : req.method === "DELETE"
            ? [204, ""]
            : [500, '{"type":"about:blank","title":"Internal Server Error","status":500}'];
      res.writeHead(status, { "content-type": status === 500 ? "application/problem+json" : "application/json" }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe("in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  let page: string;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "report-html-"));
    const history = join(dir, "history");
    cpSync(join(FIXTURE, "history"), history, { recursive: true });
    writeFileSync(join(dir, "bench.html"), "<!doctype html><title>bench</title>");
    writeReports(structuredClone(oneFailure), dir, { historyDir: history });
    page = pathToFileURL(join(dir, "index.html")).href;
    browser = await launchChromium();
  }, 300_000); // installing Chromium on a fresh machine takes a minute or two
  afterAll(async () => {
    await browser?.close();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
  });

  async function open(hash = "", viewport = { width: 1280, height: 900 }): Promise<Page> {
    const tab = await browser.newPage({ viewport });
    tab.on("request", (r) => requests.push(r.url()));
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(page + hash);
    await tab.waitForSelector("html[data-ready]");
    expect(errors).toEqual([]);
    return tab;
  }
  const visibleIds = (tab: Page) => tab.locator("#matrix tr.check:visible").evaluateAll((rows) => rows.map((r) => r.id));
  const hash = (tab: Page) => tab.evaluate<string>("decodeURIComponent(location.hash)");

  test("a summary card per target: core score, profiles claimed and passed, badge, digest, suite, failures by section", async () => {
    const tab = await open();
    const cards = tab.locator("#summary article.card");
    expect(await cards.count()).toBe(2);
    const go = tab.locator("#t-go-nethttp");
    const text = await go.innerText();
    expect(text).toContain("90%");
    expect(text).toMatch(/9 of 10 that ran passed/);
    expect(await go.locator(".chip").allInnerTexts()).toEqual(["✓ recommended", "– validation-detail", "recommended"]);
    expect(await go.locator("img").getAttribute("alt")).toBe("conformance: core 90% · 1/10 profiles");
    expect(await go.locator("img").evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(text).toContain("sha256:51f22495a7d1…");
    expect(text).toContain("crud-conformance 0.1.0 · contract v1");
    expect(await go.locator("ul.fails li").allInnerTexts()).toEqual(["The resource: 1"]);
    expect(await tab.locator("#t-rust-axum ul.fails").count()).toBe(0);
    await tab.close();
  });

  test("views: all, failures, differences, changed, one section, a text search; each kept in the fragment", async () => {
    const tab = await open();
    expect(await visibleIds(tab)).toHaveLength(11);
    await tab.check("input[name=view][value=differences]");
    expect(await visibleIds(tab)).toEqual(["RES-14"]);
    expect(await hash(tab)).toBe("#view=differences");
    expect(await tab.locator("#matrix tr.section:visible").allInnerTexts()).toEqual(["The resource"]);
    await tab.check("input[name=view][value=failures]");
    expect(await visibleIds(tab)).toEqual(["RES-14"]);
    await tab.check("input[name=view][value=changed]");
    expect(await visibleIds(tab)).toEqual(["RES-14"]);
    await tab.check("input[name=view][value=all]");
    await tab.selectOption("select[name=section]", "Errors");
    expect(await visibleIds(tab)).toEqual(["ERR-04", "ERR-20"]);
    expect(await hash(tab)).toBe("#section=Errors");
    await tab.selectOption("select[name=section]", "");
    await tab.fill("input[name=q]", "HEAD like");
    expect(await visibleIds(tab)).toEqual(["MTH-10"]);
    await tab.fill("input[name=q]", "does NOT exist");
    expect(await visibleIds(tab)).toEqual(["RES-14", "RES-15"]);
    await tab.fill("input[name=q]", "id-1");
    expect(await visibleIds(tab)).toEqual(["ID-10"]);
    expect(await hash(tab)).toBe("#q=id-1");
    await tab.fill("input[name=q]", "no such check");
    expect(await visibleIds(tab)).toEqual([]);
    expect(await tab.locator("#empty").isVisible()).toBe(true);
    expect(await tab.locator("#shown").innerText()).toBe("0 of 11 checks");
    await tab.close();
  });

  test("permalinks: a view's fragment restores it; a check id is an anchor; a failure's id opens it", async () => {
    let tab = await open("#view=differences");
    expect(await visibleIds(tab)).toEqual(["RES-14"]);
    expect(await tab.locator("input[name=view][value=differences]").isChecked()).toBe(true);
    await tab.close();
    tab = await open("#view=failures&section=Ids+in+paths");
    expect(await visibleIds(tab)).toEqual([]);
    await tab.goto(`${page}#section=Ids%20in%20paths`);
    expect(await visibleIds(tab)).toEqual(["ID-10"]);
    await tab.close();
    tab = await open("#RES-07");
    expect(await visibleIds(tab)).toHaveLength(11);
    expect(await tab.locator("tr.check:target").getAttribute("id")).toBe("RES-07");
    expect(await tab.locator("#RES-07 a.id").getAttribute("href")).toBe("#RES-07");
    // An anchor to a row the current view hides shows every check again.
    await tab.check("input[name=view][value=differences]");
    await tab.evaluate('location.hash = "#ERR-04"');
    await expect.poll(() => tab.locator("#ERR-04").isVisible()).toBe(true);
    await tab.close();
    tab = await open("#fail-go-nethttp-RES-14");
    expect(await tab.locator("#fail-go-nethttp-RES-14").evaluate((d: { open: boolean }) => d.open)).toBe(true);
    await tab.close();
  });

  test(
    "a failure opens to its reproducer (the lines of conformance.json), the responses and the server log; " + "pasted into a shell it replays the failure",
    async () => {
      const tab = await open("#view=differences");
      const cell = tab.locator("#RES-14 td.fail a");
      expect(await cell.innerText()).toContain("failed");
      await cell.click();
      const failure = tab.locator("#fail-go-nethttp-RES-14");
      await expect.poll(() => failure.evaluate((d: { open: boolean }) => d.open)).toBe(true);
      const repro = await failure.locator("pre.repro").innerText();
      const expected = addReproducers(structuredClone(oneFailure)).targets[0]!.checks.find((c) => c.id === "RES-14")!.reproduce!;
      expect(repro).toBe(expected.join("\n"));
      expect(repro).toContain(`--data-binary '{"name":"Zoë O'\\''Brien","email":"user-9b3e77c1d2a0@example.com"}'`);
      expect(repro).toContain(`curl -sS -i -m 30 -w '\\n' -X DELETE "$BASE/api/users/\${ID1:-7}"`);
      const responses = await failure.locator(".xchg").allInnerTexts();
      expect(responses).toHaveLength(3);
      expect(responses[2]).toContain("HTTP 500");
      expect(await failure.innerText()).toContain("PUT /api/users/7 500: user not found");

      mkdirSync(SCREENSHOTS, { recursive: true });
      await tab.locator("#checks .matrix-wrap").evaluate((box) => box.scrollTo(0, 0));
      await tab.screenshot({ path: join(SCREENSHOTS, "matrix.png"), fullPage: true });

      const stub = await brokenStub();
      try {
        const { stdout, stderr } = await run(repro, { BASE: stub.url });
        expect(stderr).toBe("");
        expect(stdout.match(/^HTTP\/1\.1 \d+/gm)).toEqual(["HTTP/1.1 201", "HTTP/1.1 204", "HTTP/1.1 500"]);
      } finally {
        stub.close();
      }
      await tab.close();
    },
  );

  test("history: a trend per target, and the one check that changed shows one transition", async () => {
    const tab = await open("#changes");
    for (const id of ["#t-go-nethttp", "#t-rust-axum"]) {
      const spark = tab.locator(`${id} table.trend svg.spark`);
      expect(await spark.count()).toBe(2); // core and recommended
      expect(await spark.first().locator("g circle").count()).toBe(2); // two runs
      expect(await spark.first().locator("polyline").count()).toBe(1);
    }
    expect(await tab.locator("#t-go-nethttp table.trend tr").first().innerText()).toMatch(/core\s+9\/10\s+90%/);
    expect(await tab.locator("#t-go-nethttp svg.spark title").first().textContent()).toBe(
      "core over 2 run(s): 100% (2025-01-14 10:00) → 90% (2025-01-15 10:00)",
    );
    const rows = tab.locator("#changes table.changes tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.locator("li").allInnerTexts()).toEqual(["run 2 (2025-01-15 10:00 UTC): passed → failed"]);
    expect(await rows.innerText()).toContain("go-nethttp");
    expect(await tab.locator("#RES-14 a.chg").innerText()).toBe("⟲ 1 change");
    expect(await tab.locator("nav a[href='bench.html']").count()).toBe(1);
    const features = tab.locator("#features table");
    expect(await features.locator("thead th").allInnerTexts()).toEqual([
      "target",
      "core",
      ...JSON.parse(readFileSync(join(ROOT, "harness/schemas/implementation.schema.json"), "utf8")).properties.profiles.items.enum,
    ]);
    expect(await features.locator("tbody tr").count()).toBe(2);
    await tab.close();
  });

  test("reads on a phone: the page is no wider than the screen, the cards stack, the matrix scrolls inside its box", async () => {
    const tab = await open("#view=differences", { width: 390, height: 844 });
    expect(await tab.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    const [a, b] = await tab.locator("#summary article.card").evaluateAll((cards) => cards.map((c) => c.getBoundingClientRect().top));
    expect(b!).toBeGreaterThan(a!);
    await tab.locator("#RES-14 td.fail a").click();
    await tab.screenshot({ path: join(SCREENSHOTS, "matrix-phone.png"), fullPage: true });
    await tab.close();
  });

  test("renders a full-size report (every check × 4 targets) and prints how long it takes", async () => {
    const tsv = readFileSync(join(ROOT, "test/check/__snapshots__/checks.tsv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    const base = oneFailure.targets[0]!;
    const big: Report = {
      ...oneFailure,
      targets: ["go-nethttp", "rust-actix-web", "rust-axum", "rust-rocket"].map((name, t) => ({
        ...base,
        name,
        checks: tsv.map(([id, level, title], i) => {
          const meta = {
            id: id!,
            level: level as "MUST",
            profile: (level === "MUST" ? "core" : "recommended") as "core",
            section: "Errors" as const,
            title: title!,
          };
          return (i + t) % 61 === 0 ? { ...base.checks.find((c) => c.outcome === "failed")!, ...meta } : { ...meta, outcome: "passed" as const, durationMs: 7 };
        }),
      })),
    };
    const bigDir = mkdtempSync(join(tmpdir(), "report-big-"));
    writeReports(big, bigDir);
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    tab.on("request", (r) => requests.push(r.url()));
    // A fresh document each time (a query string, since a new fragment alone does not reload).
    const samples: { load: number; rendered: number; script: number }[] = [];
    for (let i = 0; i < 3; i++) {
      await tab.goto(`${pathToFileURL(join(bigDir, "index.html")).href}?run=${i}#view=failures`);
      await tab.waitForSelector("html[data-rendered]");
      samples.push(
        await tab.evaluate<{ load: number; rendered: number; script: number }>(`({
          load: performance.getEntriesByType("navigation")[0].loadEventEnd,
          rendered: Number(document.documentElement.dataset.rendered),
          script: Number(document.documentElement.dataset.ready),
        })`),
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    const bytes = readFileSync(join(bigDir, "index.html")).length;
    const of = (k: "load" | "rendered" | "script") => samples.map((s) => s[k]);
    console.log(
      `report page, ${tsv.length} checks × 4 targets (${(bytes / 1024).toFixed(0)} KiB), ${samples.length} loads: ` +
        `first frame drawn ${median(of("rendered")).toFixed(0)} ms after navigation start, median (${spread(of("rendered"))}); ` +
        `load event ${median(of("load")).toFixed(0)} ms (${spread(of("load"))}); ` +
        `views script ${median(of("script"))} ms (${spread(of("script"))})`,
    );
    expect(await tab.locator("#matrix tr.check").count()).toBe(tsv.length);
    await tab.close();
  });
});
