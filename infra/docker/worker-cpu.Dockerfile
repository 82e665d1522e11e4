# A BullMQ worker without a GPU (apps/worker): procedural/patchmatch/remote backends, analysis, refinement and
# webhooks. Build from the repository root: docker build -f infra/docker/worker-cpu.Dockerfile -t pakati-worker .
# Keep NODE_VERSION equal to bin/pakati's and PNPM_VERSION to package.json's packageManager (infra/checks tests both).
ARG NODE_VERSION=22.23.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION=12.21.0
RUN npm install --global --no-fund --no-audit --loglevel=error pnpm@${PNPM_VERSION}
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter pakati --filter-prod "@pakati/worker..."

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PAKATI_DATA_DIR=/data \
    PAKATI_WORKER_HTTP_HOST=0.0.0.0 \
    PAKATI_WORKER_HTTP_PORT=9464
COPY infra/docker/healthcheck.mjs /usr/local/lib/pakati/healthcheck.mjs
COPY --from=build /app /app
RUN mkdir -p /data/blobs && chown -R node:node /data
USER node
WORKDIR /app/apps/worker
# /metrics, /health/live and /health/ready.
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/usr/local/lib/pakati/healthcheck.mjs", "http://127.0.0.1:9464/health/ready"]
CMD ["node", "--import", "tsx", "src/main.ts"]
