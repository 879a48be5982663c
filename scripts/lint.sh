#!/usr/bin/env bash
# npm run lint: the harness is held to `tsc --strict` and Biome (lint, format), and every server under test to its
# language's own bar: cargo fmt and clippy for Rust, gofmt and go vet for Go, tsc --strict with its
# own tsconfig.json for TypeScript, and compiling every module for Python (the bundled
# implementations and the fixtures' servers alike), and the GitHub workflow to actionlint (built
# from the Go module proxy). Not part of `npm test`: clippy compiles every crate's dependencies a
# second time (in check mode), minutes on a cold cache, and actionlint compiles for 20 s the first
# time. CI runs both.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crud-conformance/cargo-target}"

failed=()
check() { # check <dir> <what> <command...>: runs the command in dir; remembers it when it fails
  local dir=$1 what=$2
  shift 2
  echo "== $dir: $what"
  (cd "$dir" && "$@") || failed+=("$dir: $what")
}
gofmt_clean() {
  local out
  out=$(gofmt -l .) || return 1
  [ -z "$out" ] || { echo "not gofmt'ed: $out"; return 1; }
}

tsc_own() { # a TypeScript implementation's own compiler and types, installed by its build or here
  [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error || return 1
  npx --no-install tsc --noEmit -p .
}
py_compiles() { # every module compiles; the bytecode goes elsewhere (the folder is hashed)
  local cache status
  cache=$(mktemp -d)
  PYTHONPYCACHEPREFIX=$cache python3 -m compileall -q -x '/(dist|\.venv)/' .
  status=$?
  rm -rf "$cache"
  return $status
}

check . "tsc --noEmit" npx tsc --noEmit -p .
check . "biome ci (lint and format)" npx biome ci --error-on-warnings .
check . "actionlint .github/workflows/conformance.yml" go run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 -no-color .github/workflows/conformance.yml
for dir in implementations/*/ fixtures/*/ harness/run/pod/ harness/bench/bench-responder/; do
  dir=${dir%/}
  if [ -f "$dir/Cargo.toml" ]; then
    check "$dir" "cargo fmt --check" cargo fmt --check
    check "$dir" "cargo clippy -- -D warnings" cargo clippy --locked -q -- -D warnings
  fi
  if [ -f "$dir/go.mod" ]; then
    check "$dir" "gofmt -l" gofmt_clean
    check "$dir" "go vet" go vet ./...
  fi
  if [ -f "$dir/tsconfig.json" ]; then
    check "$dir" "tsc --noEmit (strict)" tsc_own
  fi
  if [ -f "$dir/.python-version" ]; then
    check "$dir" "python3 -m compileall" py_compiles
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo >&2
  printf 'crud-conformance: lint failed (%s); fix them and run npm run lint again\n' "$(printf '%s; ' "${failed[@]}" | sed 's/; $//')" >&2
  exit 1
fi
echo "lint: all clean"
