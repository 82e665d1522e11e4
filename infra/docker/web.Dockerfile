# The Next.js web client (apps/web), built with `next build` and served with `next start`.
# Build from the repository root: docker build -f infra/docker/web.Dockerfile -t pakati-web .
# The API address is read per request (PAKATI_API_URL for the server, PAKATI_PUBLIC_API_URL for browsers), so one
# image serves every environment.
# Keep NODE_VERSION equal to bin/pakati's and PNPM_VERSION to package.json's packageManager (infra/checks tests both).
ARG NODE_VERSION=22.23.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION=12.21.0
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm install --global --no-fund --no-audit --loglevel=error pnpm@${PNPM_VERSION}
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# The root comes too: `next build` type-checks with its typescript.
RUN pnpm install --offline --frozen-lockfile --filter pakati --filter-prod "@pakati/web..."
RUN pnpm --filter @pakati/web run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1
COPY infra/docker/healthcheck.mjs /usr/local/lib/pakati/healthcheck.mjs
COPY --from=build /app /app
# next start keeps its image-optimisation cache under .next/cache: the one path the process writes.
RUN mkdir -p /app/apps/web/.next/cache && chown -R node:node /app/apps/web/.next/cache
USER node
WORKDIR /app/apps/web
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/pakati/healthcheck.mjs", "http://127.0.0.1:3000/sign-in"]
# Not `pnpm start`: that binds 127.0.0.1, which nothing outside the container can reach.
CMD ["node", "node_modules/next/dist/bin/next", "start", "--hostname", "0.0.0.0", "--port", "3000"]
