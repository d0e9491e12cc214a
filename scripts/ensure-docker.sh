#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a bare Debian machine (a CI runner, a
# fresh VM) that has at most the docker CLI, it installs Debian's docker.io and
# starts dockerd in the background, then waits for its socket.
#
# dockerd gets a session of its own (setsid, stdin from /dev/null, output to its
# log): started from `make demo` in a terminal, it would otherwise share the
# demo's process group, and Ctrl-C would kill it along with the emulator, which
# then could not remove its containers.
#
# Environment: DOCKERD_LOG (default /tmp/dockerd.log); DOCKERD_ARGS, extra
# arguments for dockerd, with DOCKER_HOST for the CLI, e.g. to try this script on
# a second, isolated engine:
#   DOCKER_HOST=unix:///tmp/x.sock DOCKERD_ARGS="-H unix:///tmp/x.sock --data-root …" scripts/ensure-docker.sh
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker: an engine answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "docker: no engine answers and dockerd is not installed; install Docker (sudo apt-get install docker.io on Debian), or run this as root" >&2
    exit 1
  fi
  echo "docker: installing docker.io from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if [ -S "${socket#unix://}" ]; then
    echo "docker: an engine runs but does not answer this user; join the docker group (sudo usermod -aG docker $USER, then log in again)" >&2
  else
    echo "docker: dockerd is installed but not running; start it (sudo systemctl start docker)" >&2
  fi
  exit 1
fi

log=${DOCKERD_LOG:-/tmp/dockerd.log}
read -r -a extra_args <<<"${DOCKERD_ARGS:-}"
echo "docker: starting dockerd in its own session (log: $log)"
setsid dockerd "${extra_args[@]}" </dev/null >"$log" 2>&1 &
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
