// Where the project's files are, and where it keeps what it can build again (images' cargo target
// dir, the parsed spec, the bench's tools).
import { homedir } from "node:os";
import { join } from "node:path";

/** The checkout's root (the folder of package.json). */
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export const CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "crud-conformance");
