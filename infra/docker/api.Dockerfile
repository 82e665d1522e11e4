# The GraphQL API (apps/api), also the image of the operator CLI (apps/cli): the one-shot migration is
# `node --import tsx /app/apps/cli/src/main.ts migrate`.
# Build from the repository root: docker build -f infra/docker/api.Dockerfile -t pakati-api .
# TypeScript runs through tsx at runtime (no compile step), so the image carries the workspace sources.
# Keep NODE_VERSION equal to bin/pakati's and PNPM_VERSION to package.json's packageManager (infra/checks tests both).
ARG NODE_VERSION=22.23.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION=12.21.0
RUN npm install --global --no-fund --no-audit --loglevel=error pnpm@${PNPM_VERSION}
WORKDIR /app
# Every package of the lockfile, fetched from the lockfile alone: this layer survives source changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# The API, the operator CLI, the workspace packages they depend on, and the root (tsx). devDependencies stay:
# apps/api imports sharp, which it declares as a devDependency only.
RUN pnpm install --offline --frozen-lockfile --filter pakati --filter-prod "@pakati/api..." \
  --filter-prod "@pakati/cli..."

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PAKATI_API_HOST=0.0.0.0 \
    PAKATI_API_PORT=4000 \
    PAKATI_DATA_DIR=/data
COPY infra/docker/healthcheck.mjs /usr/local/lib/pakati/healthcheck.mjs
# Sources and node_modules stay root-owned (read-only to the process); only the data directory is its own.
COPY --from=build /app /app
RUN mkdir -p /data/blobs && chown -R node:node /data
USER node
WORKDIR /app/apps/api
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/pakati/healthcheck.mjs", "http://127.0.0.1:4000/health/ready"]
# tsx as a loader inside the one node process, so SIGTERM reaches the server's own graceful shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
