// npm run new-implementation -- <language>-<library>
// Creates implementations/<name>/ with a manifest, a Dockerfile and a stub server (Go, standard
// library) that boots and answers /health, and 501 problem+json for everything else: the suite
// runs against it at once, and every check fails with a readable reason until the real server
// replaces the stub.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { IMPLEMENTATIONS_DIR, loadManifest } from "../harness/manifest.js";

const name = process.argv[2] ?? "";
const root = process.env.CONFORMANCE_IMPLEMENTATIONS_DIR ?? IMPLEMENTATIONS_DIR;
const fail = (message: string): never => {
  console.error(`new-implementation: ${message}`);
  process.exit(2);
};
if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(name)) fail(`name it <language>-<library> in lowercase, e.g. npm run new-implementation -- python-fastapi (got "${name}")`);
const dir = join(root, name);
if (existsSync(dir)) fail(`${relative(process.cwd(), dir)} already exists`);

const files: Record<string, string> = {
  "implementation.json": `${JSON.stringify(
    {
      $schema: "../../harness/implementation.schema.json",
      name,
      language: "Go",
      framework: "net/http (stub: replace with yours)",
      version: "0.0.0",
      homepage: "https://example.com/your-framework",
      source: "https://example.com/your-framework/source",
      build: "CGO_ENABLED=0 go build -trimpath -o dist/server .",
      dockerfile: "Dockerfile",
      profiles: [],
    },
    null,
    2,
  )}\n`,
  Dockerfile: `# The image runs your server as PID 1. No registry is reachable while the suite runs, so
# build a static binary on the host (the manifest's "build") and copy it into an empty image.
FROM scratch
COPY dist/server /server
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/server"]
`,
  ".dockerignore": "*\n!dist/server\n",
  ".gitignore": "dist/\n",
  "go.mod": `module ${name}\n\ngo 1.22\n`,
  "main.go": `// A stub: it boots and answers /health, and 501 for everything else, so that every check
// fails with a readable reason. Replace it with your server; see docs/adding-an-implementation.md.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, \`{"status":"ok"}\`)
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprint(w, \`{"type":"about:blank","title":"Not Implemented","status":501,"detail":"${name} is a stub"}\`)
	})
	if err := http.ListenAndServe("0.0.0.0:"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`,
  "README.md": `# ${name}\n\nA stub made by \`npm run new-implementation\`. Replace main.go with a users server that follows\n[the contract](../../docs/api-contract.md), and update implementation.json.\n`,
};

mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
loadManifest(dir); // the scaffold itself must pass the manifest schema
console.log(`created ${relative(process.cwd(), dir)}/
next: CONFORMANCE_TARGETS=${name} npm run conformance   (every check fails until the stub is replaced)
      docs/adding-an-implementation.md explains the manifest, the container contract and profiles`);
