// Rebuilds <dir>/index.html, implementations.json and badges/* from <dir>/conformance.json
// (dir = argv[2] ?? "reports"), e.g. after merging shards: `npm run report -- reports`.
// With CONFORMANCE_HISTORY_DIR set the page shows that folder's runs (this script does not add to it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeReports } from "../harness/report/write.js";
import type { Report } from "../harness/report/types.js";

const dir = process.argv[2] ?? "reports";
const file = join(dir, "conformance.json");
let report: Report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  console.error(`report: cannot read ${file}: ${(e as Error).message.split("\n")[0]}; run npm run conformance first`);
  process.exit(2);
}
if (!Array.isArray(report?.targets)) {
  console.error(`report: ${file} has no "targets" list; it is not a conformance report (run npm run conformance)`);
  process.exit(2);
}
for (const path of writeReports(report, dir, { historyDir: process.env.CONFORMANCE_HISTORY_DIR })) console.log(path);
