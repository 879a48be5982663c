// Rebuilds <dir>/index.html and <dir>/badges/* from <dir>/conformance.json (dir = argv[2] ?? "reports"),
// e.g. after merging shards: `npm run report -- reports`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeReports } from "../harness/report/write.js";
import type { Report } from "../harness/report-types.js";

const dir = process.argv[2] ?? "reports";
const file = join(dir, "conformance.json");
let report: Report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.error(`report: cannot read ${file}: ${(e as Error).message.split("\n")[0]}; run npm run conformance first`);
  process.exit(2);
}
for (const path of writeReports(report, dir)) console.log(path);
