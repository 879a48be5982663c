// The servers under test are held to their languages' own bars: cargo fmt and clippy for Rust,
// gofmt and go vet for Go (the bundled implementations and the broken server alike).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { CACHE_DIR } from "./build.js";
import { IMPLEMENTATIONS_DIR, ROOT, implementationNames } from "./manifest.js";

const run = promisify(execFile);
const env = { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(CACHE_DIR, "cargo-target") };
const folders = [...implementationNames().map((n) => join(IMPLEMENTATIONS_DIR, n)), join(ROOT, "fixtures/broken"), join(ROOT, "fixtures/bench-responder"), join(ROOT, "fixtures/pod")];

describe.each(folders.filter((d) => existsSync(join(d, "Cargo.toml"))))("%s", (dir) => {
  test("cargo fmt --check", async () => void (await run("cargo", ["fmt", "--check"], { cwd: dir, env })), 60_000);
  test("cargo clippy -- -D warnings", async () => void (await run("cargo", ["clippy", "--locked", "-q", "--", "-D", "warnings"], { cwd: dir, env })), 600_000);
});

describe.each(folders.filter((d) => existsSync(join(d, "go.mod"))))("%s", (dir) => {
  test("gofmt -l is empty", async () => expect((await run("gofmt", ["-l", "."], { cwd: dir })).stdout).toBe(""), 60_000);
  test("go vet", async () => void (await run("go", ["vet", "./..."], { cwd: dir })), 120_000);
});
