// reports/bench.html in headless Chromium: the charts and tables render, and the page loads
// nothing but itself.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { launchChromium } from "../../harness/run/chromium.js";
import { ROOT } from "../../harness/base/paths.js";
import { renderHtml } from "../../harness/bench/html.js";
import { syntheticReport } from "../../harness/bench/sample.js";

const SCREENSHOT = join(ROOT, "reports/screenshots/bench.png");

// The timeout covers installing Chromium on a fresh machine (a minute or two).
test("renders the benchmark page in headless Chromium, with nothing loaded from the network", { timeout: 300_000 }, async () => {
  const report = syntheticReport();
  const dir = mkdtempSync(join(tmpdir(), "bench-html-"));
  const page = join(dir, "bench.html");
  writeFileSync(page, renderHtml(report));
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    tab.on("request", (r) => requests.push(r.url()));
    await tab.goto(pathToFileURL(page).href);
    const charts = tab.locator("#charts svg");
    await expect.poll(() => charts.count()).toBe(2); // req/s and latency for the one scenario
    expect(await charts.first().locator("polyline").count()).toBe(report.targets.length + 1); // + the responder
    const claims = tab.locator("#summary table").nth(1);
    expect(await claims.locator("tbody tr").count()).toBe(report.claims.length);
    expect(await claims.innerText()).toContain("actix-web holds 10,000 idle connections in under 1 MB");
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await tab.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(requests.every((u) => u.startsWith("file:"))).toBe(true);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(readFileSync(SCREENSHOT).subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
});
