#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a bare Debian machine (a CI runner, a
# fresh VM) that has at most the docker CLI, it installs Debian's docker.io and
# starts dockerd in the background, then waits for its socket.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker: an engine answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "docker: no engine answers and dockerd is not installed; install Docker (or run this as root on Debian)" >&2
    exit 1
  fi
  echo "docker: installing docker.io from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  echo "docker: dockerd is installed but not running; start it (sudo systemctl start docker)" >&2
  exit 1
fi

log=${DOCKERD_LOG:-/tmp/dockerd.log}
echo "docker: starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    echo "docker: engine ready"
    exit 0
  fi
  sleep 0.5
done
echo "docker: dockerd did not answer within 60 s; last log lines:" >&2
tail -n 30 "$log" >&2
exit 1
