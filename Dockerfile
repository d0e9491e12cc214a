# The emulator itself as an image (deploy/README.md runs it with docker compose).
#
#   docker build -t sagemaker-emulator .
#   docker run --rm -p 127.0.0.1:8181:8181 -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /var/lib/sagemaker-emulator:/var/lib/sagemaker-emulator -e SME_STATE_DIR=/var/lib/sagemaker-emulator \
#     sagemaker-emulator
#
# BASE_IMAGE must be a Debian-based Node.js 20+ image with npm (both stages use it,
# so better-sqlite3's native module is built against the node that runs it).
ARG BASE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${BASE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# node-gyp would download Node's headers from nodejs.org; the official node images
# ship them next to the binary, so point it there (builds work without that download).
RUN nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" \
 && if [ -f "$nodedir/include/node/node.h" ]; then export npm_config_nodedir="$nodedir"; fi \
 && npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Compiles src/ only (test/, bench/ and scripts/ are not in the context): dist/src/.
# Then drops devDependencies, and better-sqlite3's SQLite sources and object files
# (only build/Release/better_sqlite3.node is loaded).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/build/Release/obj* \
           node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/deps

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="sagemaker-emulator" \
      org.opencontainers.image.description="Local emulator of Amazon SageMaker hosting (model containers run on the host's Docker engine)" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
ENV NODE_ENV=production \
    SME_HOST=0.0.0.0 \
    SME_PORT=8181 \
    SME_STATE_DIR=/var/lib/sagemaker-emulator
# Only `dependencies` (the AWS SDK clients in devDependencies are for tests and scripts),
# with better-sqlite3 already compiled by the build stage.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY containers ./containers
# Runs as root: the emulator drives the host's Docker engine through its socket
# (/var/run/docker.sock), which is root-owned on most hosts.
EXPOSE 8181
# Healthy = the listener answers /health and the emulator reaches the Docker engine
# (an unmounted or unreadable socket shows as "unhealthy" in `docker ps`).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SME_PORT || 8181) + '/health').then((r) => r.json()).then((b) => process.exit(b.docker && b.docker.reachable ? 0 : 1), () => process.exit(1))"]
# node as PID 1 gets SIGTERM from `docker stop` and removes the model containers it started.
STOPSIGNAL SIGTERM
CMD ["node", "bin/sagemaker-emulator.js"]
