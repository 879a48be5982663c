// Targets and manifests: bad input is one line that names the file, the field or the fix.
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadManifest, implementationNames } from "../../harness/run/manifest.js";
import { ROOT } from "../../harness/base/paths.js";
import { resolveTargets } from "../../harness/run/targets.js";
import { VITEST_BIN } from "../../scripts/stub-server.js";
import { networkMode } from "../../harness/run/pod.js";

const valid = {
  name: "demo-impl",
  language: "Go",
  framework: "net/http",
  version: "1.26",
  homepage: "https://pkg.go.dev/net/http",
  source: "https://github.com/golang/go",
  build: "true",
  dockerfile: "Dockerfile",
  profiles: [],
};

function folder(manifest: unknown, name = "demo-impl") {
  const dir = join(mkdtempSync(join(tmpdir(), "manifest-")), name);
  mkdirSync(dir);
  writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  writeFileSync(join(dir, "implementation.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  return dir;
}

const oneLine = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe("UsageError");
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected a UsageError");
};

describe("manifests", () => {
  test("a valid manifest loads", () => expect(loadManifest(folder(valid)).framework).toBe("net/http"));
  test("a missing field is named", () =>
    expect(oneLine(() => loadManifest(folder({ ...valid, build: undefined })))).toMatch(/implementation\.json: field "\/build"/));
  test("a wrong type is named", () => expect(oneLine(() => loadManifest(folder({ ...valid, profiles: "core" })))).toMatch(/field "\/profiles" must be array/));
  test("an unknown profile is named", () => expect(oneLine(() => loadManifest(folder({ ...valid, profiles: ["fast"] })))).toMatch(/field "\/profiles\/0"/));
  test("an unknown field is named", () => expect(oneLine(() => loadManifest(folder({ ...valid, extra: 1 })))).toMatch(/field "\/extra"/));
  test("broken JSON names the file", () => expect(oneLine(() => loadManifest(folder("{ nope")))).toMatch(/implementation\.json: .*JSON/));
  test("a name that is not the folder's is named", () =>
    expect(oneLine(() => loadManifest(folder(valid, "other")))).toMatch(/"\/name" is "demo-impl" but must equal the folder name "other"/));
  test("a missing Dockerfile is named", () =>
    expect(oneLine(() => loadManifest(folder({ ...valid, dockerfile: "Nope" })))).toMatch(/"\/dockerfile" names Nope/));
  test("every bundled implementation's manifest is valid", () => {
    for (const name of implementationNames()) expect(() => resolveTargets(name), name).not.toThrow();
  });
});

describe("CONFORMANCE_TARGETS", () => {
  test("unset means every implementation folder", () => expect(resolveTargets("").map((t) => t.name)).toEqual(implementationNames()));
  test("an unknown name lists the known ones", () =>
    expect(oneLine(() => resolveTargets("nope"))).toMatch(`unknown target "nope"; known: ${implementationNames().join(", ")}`));
  test("image: and url: entries", () => {
    const [image, url] = resolveTargets("image:acme/users:1.2, url:http://127.0.0.1:8080/");
    expect(image).toMatchObject({ kind: "image", image: "acme/users:1.2", name: "image:acme/users:1.2" });
    expect(url).toMatchObject({ kind: "url", url: "http://127.0.0.1:8080", name: "url:http://127.0.0.1:8080" });
  });
  test("a bad url is one line", () => expect(oneLine(() => resolveTargets("url:ftp://x"))).toMatch(/url:http\(s\):\/\/host:port/));
  test("a duplicate is one line", () => expect(oneLine(() => resolveTargets("go-nethttp,go-nethttp"))).toMatch(/listed twice/));
  test("CONFORMANCE_NETWORK is pod or publish; anything else is one line", () => {
    expect(networkMode({})).toBe("pod");
    expect(networkMode({ CONFORMANCE_NETWORK: "publish" })).toBe("publish");
    expect(oneLine(() => networkMode({ CONFORMANCE_NETWORK: "host" }))).toMatch(/CONFORMANCE_NETWORK must be pod or publish, got "host"/);
  });
  test("implementation images are tagged by a hash of their sources", () => {
    const [t] = resolveTargets(implementationNames()[0]!);
    expect(t!.image).toMatch(/^crud-conformance\/[a-z0-9-]+:[0-9a-f]{16}$/);
  });
});

describe("the Docker engine", () => {
  test("an engine that does not answer is one line that names the fix, with no stack trace", async () => {
    const env = { ...process.env, CONFORMANCE_TARGETS: implementationNames()[0]!, CONFORMANCE_ONLY: "1", DOCKER_HOST: "tcp://127.0.0.1:9" };
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [VITEST_BIN, "list"], { env, cwd: ROOT }, (e, _, err) => resolve({ code: e ? Number(e.code) : 0, stderr: err })),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /crud-conformance: no Docker engine answers at DOCKER_HOST=tcp:\/\/127\.0\.0\.1:9; start it there, or use CONFORMANCE_TARGETS=url:<base-url>\n/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
