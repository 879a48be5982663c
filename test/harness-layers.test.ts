// harness/ is grouped by job, and imports run one way (harness/README.md): a folder imports only
// from the folders before it in LAYERS, never from test/ or a later folder.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "../harness/base/paths.js";

const LAYERS = ["base", "schemas", "generated", "client", "run", "check", "report", "bench", "fuzz"];
const HARNESS = join(ROOT, "harness");

/** Every import of a harness module that goes up a layer, or out of harness/, as "file -> import". */
function upwardImports(files = readdirSync(HARNESS, { recursive: true, encoding: "utf8" })): string[] {
  const wrong: string[] = [];
  for (const file of files.filter((f) => f.endsWith(".ts"))) {
    const layer = LAYERS.indexOf(file.split("/")[0]!);
    const source = readFileSync(join(HARNESS, file), "utf8");
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = relative(HARNESS, resolve(dirname(join(HARNESS, file)), spec!));
      const to = LAYERS.indexOf(target.split("/")[0]!);
      if (layer < 0 || to < 0 || to > layer) wrong.push(`harness/${file} -> ${spec}`);
    }
  }
  return wrong;
}

test("harness/ imports run one way: base, schemas, generated, client, run, check, report, bench, fuzz", () => {
  expect(upwardImports(), "these imports go up a layer or leave harness/ (see harness/README.md)").toEqual([]);
});
