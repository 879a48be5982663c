// npm run new-implementation -- <language>-<library>
// Creates implementations/<name>/ with a manifest, a Dockerfile and a stub server that boots and
// answers /health, and 501 problem+json for everything else: the suite runs against it at once,
// and every check fails with a readable reason until the real server replaces the stub.
//
// The name's prefix picks the shape, and the script says which it picked:
// - python-*: the host's CPython in a FROM scratch image, built by python-fastapi's build.py
//   (a virtualenv with requirements.txt, the standard library and packages as bytecode);
// - node-* and ts-*: TypeScript bundled by esbuild and run by the host's node in a FROM scratch
//   image, built by node-express's build.sh;
// - anything else: a static binary (Go, standard library) in FROM scratch.
// The node and python shapes take their build, Dockerfile and tool pins from the bundled
// implementations, so a fix there reaches new implementations too.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { IMPLEMENTATIONS_DIR, loadManifest } from "../harness/run/manifest.js";
import { exitOnUsageError, UsageError } from "../harness/base/usage-error.js";

const fail = (message: string): never => {
  throw new UsageError(message);
};

/** A file of a bundled implementation, which a shape shares. */
const bundled = (implementation: string, file: string) => readFileSync(join(IMPLEMENTATIONS_DIR, implementation, file), "utf8");

/** The version the host's interpreter reports (`node --version`, `python3 --version`), or fail. */
function hostVersion(command: string, pattern: RegExp): string {
  try {
    const version = pattern.exec(execFileSync(command, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }))?.[1];
    if (version) return version;
  } catch {}
  return fail(`this shape runs the host's ${command}, and \`${command} --version\` gave no version`);
}

function manifest(name: string, language: string, framework: string, build: string) {
  const fields = {
    $schema: "../../harness/schemas/implementation.schema.json",
    name,
    language,
    framework,
    version: "0.0.0",
    homepage: "https://example.com/your-framework",
    source: "https://example.com/your-framework/source",
    build,
    dockerfile: "Dockerfile",
    profiles: [],
  };
  return `${JSON.stringify(fields, null, 2)}\n`;
}

const readme = (name: string, replace: string, shape: string) =>
  `# ${name}\n\n` +
  `A stub made by \`npm run new-implementation\` (${shape}). Replace ${replace} with a users server that\n` +
  "follows [the contract](../../docs/api-contract.md), and update implementation.json.\n";

const stubProblem = (name: string) => `{"type":"about:blank","title":"Not Implemented","status":501,"detail":"${name} is a stub"}`;

interface Shape {
  /** What the terminal says was picked. */
  picked: string;
  files: (name: string) => Record<string, string>;
  executable?: string[];
}

const binary: Shape = {
  picked: "a static binary (Go, standard library) in FROM scratch",
  files: (name) => ({
    "implementation.json": manifest(name, "Go", "net/http (stub: replace with yours)", "CGO_ENABLED=0 go build -trimpath -o dist/server ."),
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
		fmt.Fprint(w, \`${stubProblem(name)}\`)
	})
	if err := http.ListenAndServe("0.0.0.0:"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`,
    "README.md": readme(name, "main.go", "a static Go binary"),
  }),
};

const node: Shape = {
  picked: "TypeScript on the host's node, bundled by esbuild, in FROM scratch (node-express's build.sh)",
  executable: ["build.sh"],
  files: (name) => {
    const pins = JSON.parse(bundled("node-express", "package.json")).devDependencies as Record<string, string>;
    const devDependencies = Object.fromEntries(["@types/node", "esbuild", "typescript"].map((p) => [p, pins[p]]));
    const pkg = { name, version: "1.0.0", private: true, type: "module", scripts: { build: "./build.sh", typecheck: "tsc --noEmit -p ." }, devDependencies };
    return {
      "implementation.json": manifest(name, "TypeScript", "node:http (stub: replace with yours)", "./build.sh"),
      "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
      "tsconfig.json": bundled("node-express", "tsconfig.json"),
      "build.sh": bundled("node-express", "build.sh"),
      Dockerfile: bundled("node-express", "Dockerfile"),
      ".dockerignore": bundled("node-express", ".dockerignore"),
      ".gitignore": bundled("node-express", ".gitignore"),
      ".node-version": `${hostVersion("node", /^v(\d+\.\d+\.\d+)/)}\n`,
      "src/app.ts": `// A stub: /health, and 501 for everything else, so that every check fails with a readable
// reason. Replace it with your app (createApp returns a Node request listener, as an Express app is).
import type { RequestListener } from "node:http";

export function createApp(): RequestListener {
  return (req, res) => {
    const health = req.method === "GET" && req.url === "/health";
    res.writeHead(health ? 200 : 501, { "content-type": health ? "application/json" : "application/problem+json" });
    res.end(health ? '{"status":"ok"}' : '${stubProblem(name)}');
  };
}
`,
      "src/server.ts": `// Serves the app on 0.0.0.0:$PORT as PID 1, where Node has no default action for SIGTERM and
// SIGINT: both are handled. server.close() stops accepting and closes idle connections; the sweep
// closes each busy one once its response is done. See implementations/node-express/src/server.ts.
import http from "node:http";
import { createApp } from "./app.js";

const server = http.createServer(createApp());
server.listen(Number(process.env.PORT ?? 8080), "0.0.0.0");

function shutdown() {
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  server.close(() => {
    clearInterval(sweep);
    process.exit(0);
  });
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
`,
      "README.md": readme(name, "src/", "TypeScript bundled by esbuild, run by the host's node; the first build makes package-lock.json: commit it"),
    };
  },
};

const python: Shape = {
  picked: "the host's CPython in FROM scratch, bytecode only (python-fastapi's build.py)",
  files: (name) => ({
    "implementation.json": manifest(name, "Python", "http.server (stub: replace with yours)", "python3 build.py"),
    "build.py": bundled("python-fastapi", "build.py"),
    Dockerfile: bundled("python-fastapi", "Dockerfile"),
    ".dockerignore": bundled("python-fastapi", ".dockerignore"),
    ".gitignore": bundled("python-fastapi", ".gitignore"),
    ".python-version": `${hostVersion("python3", /^Python (\d+\.\d+\.\d+)/)}\n`,
    "requirements.txt": `# Your framework and everything it pulls in, pinned with hashes (build.py installs them with
# --require-hashes --no-deps); see ../python-fastapi/requirements.txt. The stub needs none.
`,
    "users_api/__init__.py": "",
    "users_api/__main__.py": `"""A stub: /health, and 501 for everything else, so that every check fails with a readable
reason. Replace it with your server; see ../python-fastapi/users_api/__main__.py."""

import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        self.rfile.read(int(self.headers.get("content-length") or 0))
        health = self.command == "GET" and self.path == "/health"
        body = b'{"status":"ok"}' if health else b'${stubProblem(name)}'
        self.send_response(200 if health else 501)
        self.send_header("content-type", "application/json" if health else "application/problem+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    # PID 1 has no default action for SIGTERM: without this the stub would ignore it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Stub).serve_forever()
`,
    "README.md": readme(name, "users_api/", "the host's CPython, bytecode only, in FROM scratch"),
  }),
};

/** The shape a name's prefix picks, and the prefix ("" for the static binary). */
function shapeOf(name: string): [Shape, string] {
  for (const [prefix, shape] of [
    ["python-", python],
    ["node-", node],
    ["ts-", node],
  ] as const) {
    if (name.startsWith(prefix)) return [shape, prefix];
  }
  return [binary, ""];
}

/** Writes the stub for `name` into `root`/`name`: the folder, what was picked, and by which prefix. */
export function scaffold(name: string, root: string) {
  if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(name))
    fail(`name it <language>-<library> in lowercase, e.g. npm run new-implementation -- python-fastapi (got "${name}")`);
  const dir = join(root, name);
  if (existsSync(dir)) fail(`${relative(process.cwd(), dir)} already exists`);
  const [shape, why] = shapeOf(name);
  for (const [file, text] of Object.entries(shape.files(name))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  for (const file of shape.executable ?? []) chmodSync(join(dir, file), 0o755);
  loadManifest(dir); // the scaffold itself must pass the manifest schema
  return { dir, picked: shape.picked, why };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const name = process.argv[2] ?? "";
  try {
    const { dir, picked, why } = scaffold(name, process.env.CONFORMANCE_IMPLEMENTATIONS_DIR ?? IMPLEMENTATIONS_DIR);
    const choices = "python-* for Python, node-* or ts-* for TypeScript, any other for a static binary";
    console.log(`created ${relative(process.cwd(), dir)}/: ${picked}
      picked ${why ? `by the prefix ${why}` : "because the name starts with neither python-, node- nor ts-"} (${choices})
next: CONFORMANCE_TARGETS=${name} npm run conformance   (every check fails until the stub is replaced)
      docs/adding-an-implementation.md explains the manifest, the container contract and profiles`);
  } catch (e) {
    exitOnUsageError(e, "new-implementation");
  }
}
