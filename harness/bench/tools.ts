// The load generators: wrk (Debian) for the closed-loop ladder, oha (crates.io, pinned) for the
// fixed-rate runs. Each is found or installed here, with progress; when neither works the error
// is one line that names the fix.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CACHE_DIR } from "../base/paths.js";
import { aptInstall, WRK } from "../run/apt.js";
import { UsageError } from "../base/usage-error.js";

export const OHA_VERSION = "1.16.0";
/**
 * cargo install --root: the binary lands in <root>/bin, in the cache that the image builds use
 * too, so that a fresh clone does not compile oha again.
 */
export const TOOLS_ROOT = process.env.BENCH_TOOLS_ROOT ?? CACHE_DIR;

export interface Tool {
  path: string;
  version: string;
}

type Log = (line: string) => void;

function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n")[0]!.trim();
}

/** Runs a command, passing its output to `log` line by line; resolves with the exit code. */
function run(cmd: string, args: string[], log: Log, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    for (const s of [child.stdout, child.stderr]) createInterface({ input: s }).on("line", log);
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const wrkVersion = (path: string) =>
  firstLine(path, ["-v"])
    .replace(/^wrk\s+/, "")
    .split(" ")[0] ?? "unknown";

export async function ensureWrk(log: Log = console.error): Promise<Tool> {
  await aptInstall(WRK, "the bench's closed-loop runs use it", log);
  const path = which("wrk")!;
  return { path, version: wrkVersion(path) };
}

const ohaVersionOf = (path: string) => /oha\s+(\S+)/.exec(firstLine(path, ["--version"]))?.[1];

/** The pinned oha when it is installed (in the cache or on PATH), without installing it. */
export function installedOha(): Tool | undefined {
  for (const path of [join(TOOLS_ROOT, "bin", "oha"), which("oha")]) {
    if (path && existsSync(path) && ohaVersionOf(path) === OHA_VERSION) return { path, version: OHA_VERSION };
  }
  return undefined;
}

export async function ensureOha(log: Log = console.error): Promise<Tool> {
  const found = installedOha();
  if (found) return found;
  const local = join(TOOLS_ROOT, "bin", "oha");
  if (!which("cargo")) {
    throw new UsageError(
      `oha ${OHA_VERSION} is needed and cargo is not on PATH; ` +
        `install Rust, or put oha ${OHA_VERSION} on PATH (cargo install oha --locked --version ${OHA_VERSION})`,
    );
  }
  log(`[bench] oha ${OHA_VERSION} is missing: cargo install oha --locked --version ${OHA_VERSION} --root ${TOOLS_ROOT} (a few minutes, once)`);
  let compiled = 0;
  const started = Date.now();
  const code = await run(
    "nice",
    ["-n", "10", "cargo", "install", "oha", "--locked", "--version", OHA_VERSION, "--root", TOOLS_ROOT],
    (line) => {
      if (/^\s*Compiling /.test(line) && ++compiled % 25 === 0)
        log(`[bench]   oha: ${compiled} crates compiled, ${Math.round((Date.now() - started) / 1000)} s`);
      else if (/^(error|warning: build failed)/.test(line)) log(`[bench]   ${line}`);
    },
    { ...process.env, CARGO_TERM_PROGRESS_WHEN: "never" },
  );
  if (code !== 0 || ohaVersionOf(local) !== OHA_VERSION) {
    throw new UsageError(
      `cargo install oha ${OHA_VERSION} failed (exit ${code}); ` +
        `run it by hand to see why: cargo install oha --locked --version ${OHA_VERSION} --root ${TOOLS_ROOT}`,
    );
  }
  log(`[bench] oha ${OHA_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s: ${local}`);
  return { path: local, version: OHA_VERSION };
}

/** taskset pins the generator to its core; it comes with util-linux, but say so if it is absent. */
export function assertTaskset() {
  if (!which("taskset")) throw new UsageError("taskset is not installed; install util-linux (Debian: apt-get install -y util-linux)");
}
