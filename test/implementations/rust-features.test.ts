// The bundled Rust implementations share one cargo target dir (harness/run/build.ts): a crate that two
// of them build with the same version and the same features is compiled once. Each Cargo.toml has
// a block of build-time pins that turns on, for the crates they share, the features the others
// turn on. This says when a dependency change makes them drift apart again (a cold build then
// compiles those crates twice), and exactly what to add.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { IMPLEMENTATIONS_DIR, implementationNames, loadManifest } from "../../harness/run/manifest.js";

/** Crate → features enabled, for one implementation's build ("name version" keys). */
type Features = Map<string, Set<string>>;

/**
 * Differences that are meant: serde_json's `arbitrary_precision` changes how numbers parse (rust-axum
 * needs it so that 1e400 is a 422, not a 400), so the others must not get it.
 */
const MEANT: Record<string, string[]> = { serde_json: ["arbitrary_precision", "raw_value"] };

/** `cargo tree --prefix none -f "{p}|{f}"` lines → crate → features. */
function parseTree(text: string): Features {
  const features: Features = new Map();
  for (const line of text.split("\n")) {
    const [pkg, list = ""] = line.replace(/ \((\*|proc-macro)\)/g, "").split("|");
    const [name, version] = pkg!.trim().split(" ");
    if (!name || !version) continue;
    const key = `${name} ${version}`;
    const set = features.get(key) ?? new Set<string>();
    for (const f of list.split(",")) if (f.trim()) set.add(f.trim());
    features.set(key, set);
  }
  return features;
}

/** One line per crate an implementation builds with fewer features than the others do. */
function drift(builds: Record<string, Features>): string[] {
  const lines: string[] = [];
  for (const [name, mine] of Object.entries(builds)) {
    for (const [crate, have] of mine) {
      const meant = MEANT[crate.split(" ")[0]!] ?? [];
      const others = Object.entries(builds).filter(([other, theirs]) => other !== name && theirs.has(crate));
      const missing = [...new Set(others.flatMap(([, theirs]) => [...theirs.get(crate)!]))].filter((f) => !have.has(f) && !meant.includes(f)).sort();
      if (!missing.length) continue;
      const by = others.filter(([, theirs]) => missing.some((f) => theirs.get(crate)!.has(f))).map(([other]) => other);
      lines.push(
        `${name}: ${crate} lacks ${missing.join(", ")}, which ${by.join(" and ")} turn${by.length > 1 ? "" : "s"} on: ` +
          `add them to the build-time pins in ${name}/Cargo.toml`,
      );
    }
  }
  return lines;
}

const rust = implementationNames().filter((n) => loadManifest(join(IMPLEMENTATIONS_DIR, n)).language === "Rust");

async function cargoTree(name: string): Promise<Features> {
  const args = ["tree", "--locked", "--prefix", "none", "-f", "{p}|{f}", "-e", "normal,build", "--target", "x86_64-unknown-linux-gnu"];
  const { stdout } = await promisify(execFile)("cargo", args, { cwd: join(IMPLEMENTATIONS_DIR, name), maxBuffer: 16 << 20 });
  return parseTree(stdout);
}

describe("the Rust implementations' shared dependencies", () => {
  test("are built with the same features by each (the shared target dir compiles them once)", { timeout: 120_000 }, async () => {
    const builds = Object.fromEntries(await Promise.all(rust.map(async (n) => [n, await cargoTree(n)] as const)));
    expect(drift(builds)).toEqual([]);
  });

  test("a crate built with fewer features by one implementation is named, with the fix", () => {
    const tree = (features: string) => parseTree(`tokio v1.54.1|${features}\nserde_json v1.0.154|std (*)\n`);
    const builds = { a: tree("rt,net"), b: tree("rt"), c: parseTree("serde_json v1.0.154|std,arbitrary_precision\n") };
    expect(drift(builds)).toEqual(["b: tokio v1.54.1 lacks net, which a turns on: add them to the build-time pins in b/Cargo.toml"]);
    const both = { a: tree("rt,net"), b: tree("rt"), c: tree("rt,net,fs") };
    expect(drift(both)).toEqual([
      "a: tokio v1.54.1 lacks fs, which c turns on: add them to the build-time pins in a/Cargo.toml",
      "b: tokio v1.54.1 lacks fs, net, which a and c turn on: add them to the build-time pins in b/Cargo.toml",
    ]);
  });
});
