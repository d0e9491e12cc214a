#!/usr/bin/env bash
# Installs what `make test` needs and a fresh Debian machine lacks (`make test-deps`):
#   a Docker engine      scripts/ensure-docker.sh (Debian's docker.io, dockerd started)
#   prometheus/promtool  dashboard-promql.test.ts runs the dashboard's PromQL through a real Prometheus
#   docker-compose       compose-config.test.ts validates docker-compose.yml
#   boto3, the AWS CLI   boto3-cli.test.ts drives the emulator with them
#   python3's yaml       compose-config.test.ts reads `docker-compose config` output
#   chromium             the web console's tests drive Debian's chromium with playwright-core
# It says what it installs, does nothing when everything is there, and, when it is
# not root or not on Debian, says what to install instead of failing later in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-docker.sh

# Debian package -> the check that it is usable (commands on PATH, python3's modules).
missing=()
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
python3 -c 'import boto3' >/dev/null 2>&1 || missing+=(python3-boto3)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
command -v aws >/dev/null 2>&1 || missing+=(awscli)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test-deps: prometheus, docker-compose, boto3, the AWS CLI and chromium are there"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: the integration tests need: ${missing[*]} (Debian package names)." >&2
  echo "test-deps: install them as root, then run make test again:" >&2
  echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "test-deps: (or run \`sudo make test-deps\` once; elsewhere install the same tools by other means)" >&2
  exit 1
fi

echo "test-deps: installing from Debian's packages: ${missing[*]}"
# Debian's prometheus package starts a service on :9090 on install; the tests run their own
# instances on free ports, so keep services from starting while we install (policy-rc.d,
# honoured by both invoke-rc.d and deb-systemd-invoke), unless the machine already has a policy.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# written by sagemaker-emulator scripts/install-test-deps.sh for the duration of apt-get install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if $own_policy; then
  rm -f "$policy"
  trap - EXIT
fi

# Had a service started anyway (a policy that allows it), stop it through its service manager.
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
  if [ -d /run/systemd/system ]; then
    systemctl stop prometheus.service 2>/dev/null || true
  elif [ -x /etc/init.d/prometheus ]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
fi
echo "test-deps: installed ${missing[*]}"
