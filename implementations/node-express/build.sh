#!/bin/sh
# The manifest's build: bundles the app and assembles dist/rootfs, which the FROM scratch Dockerfile
# copies whole: the host's node (stripped), the shared libraries ldd lists for it, the dynamic
# loader, and the bundle. Nothing is written outside dist/ and node_modules/, which the image hash
# leaves out; .node-version, which it covers, names the node the image is made of.
set -eu
name=$(basename "$(pwd)")
node=$(command -v node) || { echo "$name: no node on PATH" >&2; exit 127; }
want=$(cat .node-version)
have=$(node --version)
if [ "$have" != "v$want" ]; then
  echo "$name: the host's node is $have but .node-version says $want; install node $want, or write ${have#v} into .node-version (hashed, so the image is rebuilt from the new node)" >&2
  exit 1
fi

# The app's own dependencies, from its lockfile; esbuild's binary comes as the optional
# @esbuild/linux-x64 package, so it needs no install script.
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
  echo "$name: made package-lock.json; commit it (the next run rebuilds the image once, with it)"
fi

rm -rf dist
mkdir -p dist/rootfs/app dist/rootfs/usr/local/bin
# CommonJS: Express and most middleware are CommonJS, and their require() of node: modules only
# works in a CommonJS bundle.
npx --no-install esbuild src/server.ts --bundle --platform=node --target=node20 --format=cjs \
  --outfile=dist/rootfs/app/server.cjs --log-level=warning

node=$(readlink -f "$node")
strip -o dist/rootfs/usr/local/bin/node "$node" 2>/dev/null || cp "$node" dist/rootfs/usr/local/bin/node
# Each library at the path ldd resolved it to (the loader searches /lib/x86_64-linux-gnu itself).
for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "dist/rootfs$(dirname "$lib")"
  cp -L "$lib" "dist/rootfs$lib"
done
echo "$name: dist/rootfs is $(du -sh dist/rootfs | cut -f1) (node $want)"
