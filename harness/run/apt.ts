// Debian packages a run installs when they are missing (chromium for the report tests, wrk for
// the bench; docker.io is scripts/ensure-docker.sh's). One apt-get at a time across processes —
// two test files that install at once made the second fail on dpkg's lock — as root or through
// `sudo -n`; otherwise one line names the command to run.
import { spawn, spawnSync } from "node:child_process";
import { UsageError } from "../base/usage-error.js";

/** Every apt-get of the project takes this lock first (scripts/ensure-docker.sh too). */
export const APT_LOCK = "/tmp/crud-conformance-apt.lock";

/** What to install, and how to tell it is there. */
export interface Package {
  name: string;
  /** An absolute path, or a command looked up on PATH. */
  binary: string;
}

export const CHROMIUM: Package = { name: "chromium", binary: "/usr/bin/chromium" };
export const WRK: Package = { name: "wrk", binary: "wrk" };

const isRoot = () => process.getuid?.() === 0;
const canSudo = () => spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;

const check = (p: Package) => (p.binary.startsWith("/") ? `test -x ${p.binary}` : `command -v ${p.binary} >/dev/null`);

export function installed(p: Package): boolean {
  return spawnSync("sh", ["-c", check(p)]).status === 0;
}

/**
 * The shell line that installs what is still missing once it holds the lock (another process may
 * have installed it meanwhile), updating the package lists once if apt-get cannot find it.
 */
function script(packages: Package[]) {
  const missing = packages.map((p) => `${check(p)} || m="$m ${p.name}"`).join("; ");
  // Without Recommends: Chromium's (Mesa's DRI drivers, upower, printing tools) are not needed
  // headless, and cost half the install (measured: 23 s and 27 core-s with them, 12 s and 16 without).
  const get = `apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $m`;
  return `flock -w 900 ${APT_LOCK} sh -c 'export DEBIAN_FRONTEND=noninteractive; m=; ${missing}; [ -z "$m" ] || ${get} || { apt-get update -q && ${get}; }'`;
}

/** The install as a person would type it, for progress and fix lines. */
const installLine = (names: string) => `apt-get install -y --no-install-recommends ${names}`;

function spawnInstall(packages: Package[], detached: boolean) {
  const sh = ["sh", "-c", script(packages)];
  const [cmd, ...args] = isRoot() ? sh : ["sudo", "-n", ...sh];
  // Detached: a run that is interrupted or killed never stops dpkg half-way; the install finishes.
  return spawn(cmd!, args, { detached, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Starts installing the missing ones in the background (global setup, while images build), so
 * that the tests that need them find them installed; a test that gets there first waits on the
 * lock. Failures are left to `aptInstall`, which the tests call and which then names the fix.
 */
export function prefetch(packages: Package[]) {
  const missing = packages.filter((p) => !installed(p));
  if (!missing.length || !(isRoot() || canSudo())) return;
  const names = missing.map((p) => p.name).join(" ");
  console.error(`crud-conformance: installing Debian's ${names} in the background for the tests that need them (${installLine(names)})`);
  const child = spawnInstall(missing, true);
  child.stdout.resume();
  child.stderr.resume();
  child.unref();
}

/** Makes sure `p` is installed: installs it now, or waits on the lock for an install under way. */
export async function aptInstall(p: Package, why: string, log: (line: string) => void = console.error): Promise<void> {
  if (installed(p)) return;
  const fix = `${isRoot() ? "" : "sudo "}${installLine(p.name)}`;
  if (!isRoot() && !canSudo()) throw new UsageError(`${p.binary} is missing (${why}) and installing it needs root; run: ${fix}`);
  log(`crud-conformance: ${p.binary} is missing (${why}); installing Debian's ${p.name} (${installLine(p.name)}), or waiting for an install under way ...`);
  const child = spawnInstall([p], false);
  const tail: string[] = [];
  for (const s of [child.stdout, child.stderr]) s.on("data", (c: Buffer) => tail.push(...c.toString().split("\n").filter(Boolean).slice(-3)));
  const code = await new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !installed(p)) {
    throw new UsageError(`apt-get could not install ${p.name} (exit ${code}${tail.length ? `: ${tail.at(-1)}` : ""}); run: ${fix}`);
  }
}
