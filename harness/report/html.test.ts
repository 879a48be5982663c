import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { test, expect } from "vitest";
import { launchChromium } from "../chromium.js";
import { ROOT } from "../manifest.js";
import type { Report } from "../report-types.js";
import { renderHtml } from "./html.js";

const SCREENSHOT = join(ROOT, "reports/screenshots/matrix.png");
const sample: Report = JSON.parse(readFileSync(join(ROOT, "fixtures/report/sample-conformance.json"), "utf8"));

test("escapes server output and links only http(s) homepages", () => {
  const html = renderHtml(sample);
  expect(html).not.toContain("<script>alert('boom')</script>");
  expect(html).toContain("&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;");
  const evil = structuredClone(sample);
  evil.targets[0]!.manifest!.homepage = "javascript:alert(1)";
  expect(renderHtml(evil)).not.toContain('href="javascript:');
});

// Installing Chromium on a fresh machine takes a minute or two of the timeout.
test("renders the matrix in headless Chromium", { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "report-html-"));
  const page = join(dir, "index.html");
  writeFileSync(page, renderHtml(sample));

  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    tab.on("request", (r) => requests.push(r.url()));
    await tab.goto(pathToFileURL(page).href);

    const matrix = tab.locator("#matrix");
    await expect.poll(() => matrix.isVisible()).toBe(true);
    expect(await matrix.locator("thead th").count()).toBe(1 + sample.targets.length);
    await expect.poll(() => matrix.locator("thead th").nth(2).innerText()).toContain("url:http://127.0.0.1:8080");
    expect(await matrix.locator("tr.section").allInnerTexts()).toEqual(["The container", "The resource", "Errors"]); // the contract's order

    const failed = matrix.locator("td.fail details").filter({ hasText: "status 500, expected 404" });
    expect(await failed.locator("text=status 500, expected 404").isVisible()).toBe(false);
    await failed.locator("summary").click();
    expect(await failed.locator("text=status 500, expected 404").isVisible()).toBe(true);
    expect(await failed.innerText()).toContain("panic: runtime error");

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await tab.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(requests.every((u) => u.startsWith("file:"))).toBe(true);
  } finally {
    await browser.close();
  }
  const png = readFileSync(SCREENSHOT);
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.length).toBeGreaterThan(20_000);
});
