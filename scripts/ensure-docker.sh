#!/usr/bin/env sh
# Make sure a Docker engine answers. When `docker info` fails, install Debian's
# docker.io (if the client or daemon is missing) and start dockerd in the background.
# Usage: scripts/ensure-docker.sh        (needs root, or sudo, when it has to install)
set -eu

if docker info >/dev/null 2>&1; then exit 0; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing Debian's docker.io ..." >&2
  as_root apt-get install -y -q docker.io >/dev/null 2>&1 ||
    { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q docker.io >/dev/null; }
fi

echo "ensure-docker: starting dockerd (log: /tmp/dockerd.log) ..." >&2
as_root sh -c 'nohup dockerd >/tmp/dockerd.log 2>&1 &'
i=0
until docker info >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "ensure-docker: dockerd did not answer within 30 s; see /tmp/dockerd.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "ensure-docker: Docker engine ready ($(docker version --format '{{.Server.Version}}'))" >&2
