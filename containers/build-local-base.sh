#!/usr/bin/env bash
# Build a minimal Node.js base image offline, from this machine's own `node`.
#
#   containers/build-local-base.sh            # -> sagemaker-emulator/node-base:local
#   LOCAL_BASE_IMAGE=my/base:tag containers/build-local-base.sh
#
# The image is FROM scratch and holds only:
#   /usr/local/bin/node          the real node binary (symlinks resolved)
#   every library `ldd` lists for it, plus the dynamic loader, at the same absolute paths
#   /tmp                         empty, mode 1777
# with ENV PATH=/usr/local/bin:/usr/bin:/bin. No shell, no /etc/passwd: node does not
# need them to serve HTTP on 0.0.0.0 (Docker itself supplies /etc/hosts, /etc/hostname
# and /etc/resolv.conf at run time).
#
# Used by containers/build.sh when node:20-slim is not available (no registry access).
# Idempotent: the same node binary gives the same layer, so re-runs hit the build cache.
set -euo pipefail
umask 022

IMAGE="${LOCAL_BASE_IMAGE:-sagemaker-emulator/node-base:local}"

say() { printf '[build-local-base] %s\n' "$*"; }
die() { printf '[build-local-base] ERROR: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found on PATH"
command -v ldd >/dev/null 2>&1 || die "ldd not found (needed to list node's shared libraries)"
NODE_LINK="$(command -v node)" || die "node not found on PATH"
NODE_BIN="$(readlink -f "$NODE_LINK")"
[ -x "$NODE_BIN" ] || die "$NODE_BIN is not executable"
NODE_VERSION="$("$NODE_BIN" --version)"
NODE_SHA256="$(sha256sum "$NODE_BIN" | cut -d' ' -f1)"
say "node: $NODE_LINK -> $NODE_BIN ($NODE_VERSION, $(uname -m))"

CTX="$(mktemp -d -t sagemaker-emulator-node-base.XXXXXX)"
trap 'rm -rf "$CTX"' EXIT
ROOTFS="$CTX/rootfs"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/tmp"
chmod 1777 "$ROOTFS/tmp"
cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
chmod 755 "$ROOTFS/usr/local/bin/node"

# Shared libraries. ldd lines look like:
#   libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)
#   /lib64/ld-linux-x86-64.so.2 (0x...)            <- the dynamic loader
#   linux-vdso.so.1 (0x...)                        <- provided by the kernel, skipped
LDD_OUT="$(ldd "$NODE_BIN" 2>&1)" || die "ldd failed on $NODE_BIN: $LDD_OUT"
if grep -q 'not found' <<<"$LDD_OUT"; then
  die "ldd reports missing libraries:"$'\n'"$LDD_OUT"
fi
if grep -qiE 'not a dynamic executable|statically linked' <<<"$LDD_OUT"; then
  LIBS=()
else
  mapfile -t LIBS < <(awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }
  ' <<<"$LDD_OUT" | sort -u)
fi
for lib in "${LIBS[@]}"; do
  real="$(readlink -f "$lib")"
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
  if [ "$real" != "$lib" ]; then
    say "lib:  $lib (-> $real, $(stat -c %s "$real") bytes)"
  else
    say "lib:  $lib ($(stat -c %s "$lib") bytes)"
  fi
done
say "${#LIBS[@]} libraries copied"

# Pack the tree as a tarball so ADD extracts it with exact modes (/tmp 1777) and root
# ownership. List the top-level entries, not ".", so the image's / keeps its own mode.
(cd "$ROOTFS" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort \
  | tar --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' --sort=name \
        -cf "$CTX/rootfs.tar" -T -)

cat >"$CTX/Dockerfile" <<EOF
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/bin:/usr/bin:/bin
LABEL org.opencontainers.image.title="sagemaker-emulator node base (local)" \\
      org.opencontainers.image.description="FROM scratch + the build host's node binary and its shared libraries" \\
      sagemaker-emulator.node.version="$NODE_VERSION" \\
      sagemaker-emulator.node.sha256="$NODE_SHA256"
CMD ["node"]
EOF

say "context: $CTX ($(du -sh "$CTX/rootfs.tar" | cut -f1) rootfs.tar)"
say "docker build -t $IMAGE"
start=$(date +%s%N)
if ! BUILD_OUT="$(docker build -q -t "$IMAGE" "$CTX" 2>&1)"; then
  die "docker build failed:"$'\n'"$BUILD_OUT"
fi
ms=$(( ($(date +%s%N) - start) / 1000000 ))
BUILD_OUT_ID="${BUILD_OUT##*:}"
say "built $IMAGE (id ${BUILD_OUT_ID:0:12}) in ${ms} ms"

# Smoke test: node starts in the image and can report its version and hostname.
if ! OUT="$(docker run --rm --network none "$IMAGE" node -e 'console.log(process.version, require("os").hostname())' 2>&1)"; then
  die "smoke test failed: node does not run in $IMAGE:"$'\n'"$OUT"
fi
say "smoke test ok: $OUT"
