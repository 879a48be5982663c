// The scaffold picks its shape from the name's prefix, writes a folder whose manifest passes the
// schema, and takes the node and python shapes' build files from the bundled implementations.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { IMPLEMENTATIONS_DIR, loadManifest } from "../../harness/run/manifest.js";
import { scaffold } from "../../scripts/new-implementation.js";

const root = mkdtempSync(join(tmpdir(), "new-implementation-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shapes = [
  ["python-demo", "Python", "python-fastapi", ["build.py", "Dockerfile", ".dockerignore"], ["users_api/__main__.py", ".python-version", "requirements.txt"]],
  ["node-demo", "TypeScript", "node-express", ["build.sh", "Dockerfile", "tsconfig.json"], ["src/app.ts", "src/server.ts", ".node-version", "package.json"]],
  ["ts-demo", "TypeScript", "node-express", ["build.sh", "Dockerfile", "tsconfig.json"], ["src/app.ts", "src/server.ts", ".node-version", "package.json"]],
  ["rust-demo", "Go", undefined, [], ["main.go", "go.mod", "Dockerfile"]],
] as const;

for (const [name, language, from, shared, own] of shapes) {
  test(`new-implementation ${name} makes the ${language} shape${from ? `, its build from ${from}` : ""}`, () => {
    const made = scaffold(name, root);
    expect(made.why).toBe(language === "Go" ? "" : `${name.split("-")[0]}-`);
    expect(loadManifest(made.dir).language).toBe(language);
    for (const file of shared) expect(readFileSync(join(made.dir, file), "utf8"), file).toBe(readFileSync(join(IMPLEMENTATIONS_DIR, from!, file), "utf8"));
    for (const file of own) expect(existsSync(join(made.dir, file)), file).toBe(true);
    if (from === "node-express") expect(statSync(join(made.dir, "build.sh")).mode & 0o111).not.toBe(0);
  });
}

test("new-implementation refuses a name that is not <language>-<library>, and a folder that exists", () => {
  expect(() => scaffold("Demo", root)).toThrow(/lowercase/);
  expect(() => scaffold("python-demo", root)).toThrow(/already exists/);
});
