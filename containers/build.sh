#!/usr/bin/env bash
# Build every sample model image: containers/<dir>/Dockerfile -> sagemaker-emulator/<dir>:latest
#
#   containers/build.sh                  # all model dirs
#   containers/build.sh echo-model       # only the named ones
#   BASE_IMAGE=node:20-bookworm containers/build.sh
#
# Base image (passed as --build-arg BASE_IMAGE):
#   1. $BASE_IMAGE if the caller set it;
#   2. else node:20-slim if it is already present locally;
#   3. else node:20-slim if `docker pull` gets it within 15 s;
#   4. else the offline base sagemaker-emulator/node-base:local, built from this
#      machine's node by containers/build-local-base.sh.
# Runnable from any working directory. `make images` runs this script.
set -euo pipefail

CONTAINERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$CONTAINERS_DIR")"
cd "$REPO_DIR"

PUBLIC_BASE="node:20-slim"
LOCAL_BASE="${LOCAL_BASE_IMAGE:-sagemaker-emulator/node-base:local}"
IMAGE_PREFIX="${IMAGE_PREFIX:-sagemaker-emulator}"

say() { printf '[build] %s\n' "$*"; }
die() { printf '[build] ERROR: %s\n' "$*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

command -v docker >/dev/null 2>&1 || die "docker CLI not found on PATH"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running, and may this user use it?)"

# ---------------------------------------------------------------- which models
MODELS=()
if [ "$#" -gt 0 ]; then
  for m in "$@"; do
    m="${m%/}"; m="${m#containers/}"
    [ -f "containers/$m/Dockerfile" ] || die "no such model: containers/$m/Dockerfile"
    MODELS+=("$m")
  done
else
  for d in containers/*/; do
    d="${d%/}"
    [ -f "$d/Dockerfile" ] && MODELS+=("${d#containers/}")
  done
fi
[ "${#MODELS[@]}" -gt 0 ] || die "no model directories with a Dockerfile under containers/"
say "models: ${MODELS[*]}"

# ---------------------------------------------------------------- which base
if [ -n "${BASE_IMAGE:-}" ]; then
  BASE="$BASE_IMAGE"
  say "base: $BASE (from \$BASE_IMAGE)"
elif docker image inspect "$PUBLIC_BASE" >/dev/null 2>&1; then
  BASE="$PUBLIC_BASE"
  say "base: $BASE (present locally)"
else
  say "base: $PUBLIC_BASE not present locally; trying docker pull (15 s limit)"
  if timeout 15 docker pull -q "$PUBLIC_BASE" >/dev/null 2>&1; then
    BASE="$PUBLIC_BASE"
    say "base: $BASE (pulled)"
  else
    say "base: cannot pull $PUBLIC_BASE; falling back to the offline base $LOCAL_BASE built from the local node"
    t0=$(now_ms)
    LOCAL_BASE_IMAGE="$LOCAL_BASE" "$CONTAINERS_DIR/build-local-base.sh" \
      || die "building the local base image failed (set BASE_IMAGE to a node image you have)"
    say "base: $LOCAL_BASE ready in $(( $(now_ms) - t0 )) ms"
    BASE="$LOCAL_BASE"
  fi
fi

# ---------------------------------------------------------------- build
BUILT=()
for m in "${MODELS[@]}"; do
  tag="$IMAGE_PREFIX/$m:latest"
  say "building $tag from containers/$m (BASE_IMAGE=$BASE)"
  t0=$(now_ms)
  if ! docker build --build-arg "BASE_IMAGE=$BASE" -t "$tag" "containers/$m"; then
    die "docker build of $tag failed (context containers/$m, BASE_IMAGE=$BASE)"
  fi
  say "built $tag in $(( $(now_ms) - t0 )) ms"
  BUILT+=("$tag")
done

say "done: ${BUILT[*]}"
