// Headless Chromium for the tests that render the report: Debian's package, installed on first
// use when it is missing (as root, or through `sudo -n`); otherwise one line names the command.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { UsageError } from "./usage-error.js";

export const CHROMIUM = "/usr/bin/chromium";
/** Without the background-networking flags Chromium keeps dialling out, which this machine refuses. */
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const run = promisify(execFile);
let installing: Promise<void> | undefined;

async function asRoot(args: string[]) {
  if (process.getuid?.() === 0) return run(args[0]!, args.slice(1));
  const sudo = await run("sudo", ["-n", "true"]).then(() => true, () => false);
  if (!sudo) throw new UsageError(`${CHROMIUM} is missing and installing it needs root; run: sudo apt-get install -y chromium`);
  return run("sudo", ["-n", ...args]);
}

async function install() {
  console.error(`crud-conformance: ${CHROMIUM} is missing; installing Debian's chromium (apt-get install -y chromium) ...`);
  const apt = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "chromium"];
  try {
    await asRoot(apt).catch(async (e) => {
      if (e instanceof UsageError) throw e;
      await asRoot(["apt-get", "update", "-q"]);
      await asRoot(apt);
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`apt-get could not install chromium (${String((e as Error).message).split("\n")[0]}); run: sudo apt-get install -y chromium`);
  }
}

/** Makes sure Debian's Chromium is installed; installs it once per process when it is not. */
export async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  await (installing ??= install());
}

export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
