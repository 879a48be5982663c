// Turns CONFORMANCE_TARGETS into the list of targets a run checks.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { implementationNames, loadManifest, IMPLEMENTATIONS_DIR, type Manifest } from "./manifest.js";
import { imageTag } from "./build.js";
import { UsageError } from "../base/usage-error.js";

export type TargetKind = "implementation" | "image" | "url" | "app";

/** Everything a suite file needs to know about what it checks (serializable: it crosses to workers). */
export interface Target {
  name: string;
  kind: TargetKind;
  /** Image to run (implementation and image targets). */
  image?: string;
  /** Base URL of an already running server (url targets). */
  url?: string;
  /** A module that exports a factory of a Node request listener, checked in-process (app targets). */
  module?: string;
  /** Implementation folder (implementation targets). */
  dir?: string;
  manifest?: Manifest;
  /** Profiles the target claims; a failure in one of them fails the run. */
  profiles: string[];
  /** Known failures: check id -> expectation (implementations/<name>/expectations.json). */
  expectations: Record<string, Expectation>;
}

export interface Expectation {
  outcome: "fail" | "flaky" | "skip";
  reason: string;
}

/** Reads an expectations file; a broken one is a one-line UsageError naming the file and the entry. */
export function loadExpectations(file: string | undefined): Record<string, Expectation> {
  if (!file || !existsSync(file)) return {};
  const where = relative(process.cwd(), file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`${where}: must be an object of check id -> { "outcome", "reason" }`);
  for (const [id, e] of Object.entries(data as Record<string, Partial<Expectation>>)) {
    if (!["fail", "flaky", "skip"].includes(e?.outcome as string) || typeof e?.reason !== "string" || !e.reason) {
      throw new UsageError(`${where}: "${id}" needs "outcome" (fail, flaky or skip) and a non-empty "reason"`);
    }
  }
  return data as Record<string, Expectation>;
}

export function implementationTarget(dir: string, name = dir.split("/").pop()!): Target {
  const manifest = loadManifest(dir);
  const expectations = loadExpectations(join(dir, "expectations.json"));
  return { name, kind: "implementation", dir, manifest, image: imageTag(dir, manifest.name), profiles: manifest.profiles, expectations };
}

/** image: and url: targets have no folder; CONFORMANCE_EXPECTATIONS may name their expectations file. */
const outsideExpectations = () => loadExpectations(process.env.CONFORMANCE_EXPECTATIONS);

function parseEntry(entry: string, known: string[]): Target {
  if (entry.startsWith("image:")) {
    const image = entry.slice("image:".length);
    if (!image) throw new UsageError(`CONFORMANCE_TARGETS: "image:" needs an image reference, e.g. image:my-users-api:1.0`);
    return { name: `image:${image}`, kind: "image", image, profiles: [], expectations: outsideExpectations() };
  }
  if (entry.startsWith("app:")) {
    const module = entry.slice("app:".length);
    if (!module || !existsSync(module)) {
      throw new UsageError(
        `CONFORMANCE_TARGETS: "${entry}" names no file; app:<module> is a module that exports createApp(), a factory of a Node request listener`,
      );
    }
    return { name: entry, kind: "app", module: resolve(module), profiles: [], expectations: outsideExpectations() };
  }
  if (entry.startsWith("url:")) {
    const url = entry.slice("url:".length).replace(/\/+$/, "");
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new UsageError(`CONFORMANCE_TARGETS: "${entry}" is not url:http(s)://host:port, e.g. url:http://127.0.0.1:8080`);
    }
    return { name: `url:${url}`, kind: "url", url, profiles: [], expectations: outsideExpectations() };
  }
  if (!known.includes(entry)) {
    throw new UsageError(
      `CONFORMANCE_TARGETS: unknown target "${entry}"; known: ${known.join(", ") || "(none)"}, or image:<ref>, url:<base-url> or app:<module>`,
    );
  }
  return implementationTarget(join(IMPLEMENTATIONS_DIR, entry));
}

/** Parses a comma-separated CONFORMANCE_TARGETS; unset or empty means every implementation folder. */
export function resolveTargets(spec = process.env.CONFORMANCE_TARGETS ?? ""): Target[] {
  const known = implementationNames();
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const targets = (entries.length ? entries : known).map((e) => parseEntry(e, known));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new UsageError(`CONFORMANCE_TARGETS: "${t.name}" is listed twice`);
    seen.add(t.name);
  }
  return targets;
}
