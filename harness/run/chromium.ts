// Headless Chromium for the tests that render the reports: Debian's package, installed on first
// use when it is missing (harness/run/apt.ts); otherwise one line names the command.
import { chromium, type Browser } from "playwright-core";
import { aptInstall, CHROMIUM } from "./apt.js";

/** Without the background-networking flags Chromium keeps dialling out, which this machine refuses. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  await aptInstall(CHROMIUM, "the report tests render pages in headless Chromium");
  return chromium.launch({ executablePath: CHROMIUM.binary, args: ARGS });
}
