// Builds an implementation's image offline: the host build (a static binary), then `docker build`
// of its FROM-scratch Dockerfile. Images are tagged by a hash of the folder's sources, so an
// unchanged implementation is never rebuilt.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { loadManifest, type Manifest } from "./manifest.js";
import { CACHE_DIR, ROOT } from "../base/paths.js";
import { engineWasUp, ensureDocker } from "./docker.js";
import { UsageError } from "../base/usage-error.js";

/** Build output and caches: never part of the hash. */
const IGNORED = new Set(["dist", "target", "node_modules", ".git"]);

function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !IGNORED.has(e.name))
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), root) : [relative(root, join(dir, e.name))]))
    .sort();
}

/** sha256 over the folder's file names and contents, 16 hex digits. */
export function sourceHash(dir: string): string {
  const hash = createHash("sha256");
  for (const file of files(dir))
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(dir, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

export const imageTag = (dir: string, name: string) => `crud-conformance/${name}:${sourceHash(dir)}`;

type Log = (line: string) => void;

function run(cmd: string, args: string[], cwd: string, log: Log, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<number>((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", log);
    child.on("error", (e) => {
      log(e.message);
      resolve(127);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export async function imageExists(image: string): Promise<boolean> {
  return (await run("docker", ["image", "inspect", "--format", "{{.Id}}", image], ".", () => {})) === 0;
}

const lanes = new Map<string, Promise<unknown>>();

/**
 * Runs `step` after the earlier steps of the same lane. Builds in one language take turns: they
 * share a compiler cache (cargo's target dir, Go's build cache), and side by side they compile the
 * same dependencies twice (Go's three builds on an empty cache: 39 s and 77 core-s side by side,
 * 23 s and 41 core-s in turn); cargo would make its builds wait for its lock anyway.
 */
function inLane<T>(lane: string, step: () => Promise<T>): Promise<T> {
  const result = (lanes.get(lane) ?? Promise.resolve()).then(step);
  lanes.set(
    lane,
    result.catch(() => {}),
  );
  return result;
}

/**
 * Makes sure `image` exists, building it from `dir` when it does not. Progress goes to `log`
 * line by line, prefixed with the implementation's name; a failure is a one-line UsageError.
 * The host build needs no engine: while one is being installed and started, it compiles meanwhile.
 */
export async function buildImage(dir: string, manifest: Manifest, image: string, log: Log = console.error) {
  const engine = ensureDocker();
  engine.catch(() => {}); // its failure is the caller's to report, even while the host build runs
  if (engineWasUp() && (await imageExists(image))) return { built: false, seconds: 0 };
  return inLane(manifest.language.toLowerCase(), () => hostBuild(dir, manifest, image, log)).then(async (started) => {
    await engine;
    if (started === undefined) return { built: false, seconds: 0 };
    // An engine that was started meanwhile may hold the image already.
    if (!engineWasUp() && (await imageExists(image))) return { built: false, seconds: 0 };
    return dockerBuild(dir, manifest, image, log, started);
  });
}

/** Progress lines prefixed with the implementation's name, and the time since `started`. */
function progress(manifest: Manifest, log: Log, started: number) {
  return { say: (line: string) => log(`[${manifest.name}] ${line}`), elapsed: () => `${((Date.now() - started) / 1000).toFixed(1)} s` };
}

/** The manifest's build command; when it is done, the time it started (undefined: nothing to do). */
async function hostBuild(dir: string, manifest: Manifest, image: string, log: Log): Promise<number | undefined> {
  if (engineWasUp() && (await imageExists(image))) return undefined; // built while this waited its turn
  const started = Date.now();
  const { say, elapsed } = progress(manifest, log, started);
  say(`building ${image}: ${manifest.build}`);
  const env = {
    ...process.env,
    CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(CACHE_DIR, "cargo-target"),
    CARGO_TERM_PROGRESS_WHEN: "never",
  };
  const hostCode = await run("sh", ["-c", manifest.build], dir, say, env);
  if (hostCode !== 0) {
    const hint = hostCode === 127 ? " (a tool it needs is not installed)" : "";
    throw new UsageError(
      `${manifest.name}: build command exited ${hostCode}${hint} after ${elapsed()}; reproduce with: cd ${relative(process.cwd(), dir)} && ${manifest.build}`,
    );
  }
  say(`host build done in ${elapsed()}; docker build`);
  return started;
}

async function dockerBuild(dir: string, manifest: Manifest, image: string, log: Log, started: number) {
  const { say, elapsed } = progress(manifest, log, started);
  const dockerArgs = ["build", "--quiet", "--label", `crud-conformance.implementation=${manifest.name}`];
  const dockerLog: string[] = []; // only shown on failure: the legacy builder's notices are noise
  const code = await run("docker", [...dockerArgs, "-t", image, "-f", manifest.dockerfile, "."], dir, (l) => dockerLog.push(l), {
    ...process.env,
    DOCKER_BUILDKIT: "0",
  });
  if (code !== 0) {
    dockerLog.slice(-20).forEach(say);
    throw new UsageError(
      `${manifest.name}: docker build exited ${code}; reproduce with: cd ${relative(process.cwd(), dir)} && docker build -f ${manifest.dockerfile} .`,
    );
  }
  say(`image ${image} ready in ${elapsed()}`);
  await pruneOlderImages(manifest.name, image);
  return { built: true, seconds: (Date.now() - started) / 1000 };
}

/**
 * Builds (or finds) the image of one of the project's own servers (the pod, the bench's responder,
 * the broken server), from its folder relative to the checkout; its tag.
 */
export async function buildServer(folder: string, log: Log = console.error): Promise<string> {
  const dir = join(ROOT, folder);
  const manifest = loadManifest(dir);
  const image = imageTag(dir, manifest.name);
  await buildImage(dir, manifest, image, log);
  return image;
}

/**
 * Removes the images of earlier sources of this implementation, so they do not pile up. Only
 * those a day old or more: another checkout on the same engine may be about to run a newer one.
 */
async function pruneOlderImages(name: string, keep: string) {
  const rows: string[] = [];
  const format = "{{.Repository}}:{{.Tag}}\t{{.CreatedAt}}";
  await run("docker", ["image", "ls", "--filter", `label=crud-conformance.implementation=${name}`, "--format", format], ".", (l) => rows.push(l));
  const dayAgo = Date.now() - 24 * 3600_000;
  const old = rows
    .map((row) => row.split("\t"))
    .filter(([tag, created]) => tag !== keep && !tag!.includes("<none>") && Date.parse(created!.replace(/ [A-Z]+$/, "")) < dayAgo)
    .map(([tag]) => tag!);
  if (old.length) await run("docker", ["rmi", ...old], ".", () => {});
}
