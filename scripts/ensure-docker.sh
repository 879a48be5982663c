#!/usr/bin/env sh
# Make sure a Docker engine answers. When `docker info` fails, install Debian's
# docker.io (if the client or daemon is missing) and start dockerd in the background.
# Usage: scripts/ensure-docker.sh   (as root, or as a user whom `sudo -n` lets in)
# npm run conformance and npm test run this themselves when no engine answers.
set -eu

if docker info >/dev/null 2>&1; then exit 0; fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else
    echo "ensure-docker: starting a Docker engine needs root; run: sudo scripts/ensure-docker.sh" >&2
    exit 1
  fi
}

if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing Debian's docker.io ..." >&2
  # The lock the project's other apt-get calls take too (harness/run/apt.ts): one install at a time.
  locked_apt_get() { as_root flock -w 900 /tmp/crud-conformance-apt.lock apt-get "$@"; }
  locked_apt_get install -y -q -o DPkg::Lock::Timeout=600 docker.io >/dev/null 2>&1 ||
    { locked_apt_get update -q >/dev/null 2>&1 && locked_apt_get install -y -q -o DPkg::Lock::Timeout=600 docker.io >/dev/null; } ||
    { echo "ensure-docker: apt-get could not install docker.io; install a Docker engine, or set DOCKER_HOST" >&2; exit 1; }
fi

echo "ensure-docker: starting dockerd (log: /tmp/dockerd.log) ..." >&2
# setsid: the engine must outlive this run; in the run's process group, a Ctrl-C would stop it too.
as_root sh -c 'setsid nohup dockerd >/tmp/dockerd.log 2>&1 </dev/null &'
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
