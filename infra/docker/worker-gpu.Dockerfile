# A BullMQ worker that takes the GPU lane (queue `generation-gpu`): the worker image plus @tensorflow/tfjs-node-gpu,
# which packages/backends' loadTfjs('auto') tries first, on a CUDA base.
# Build from the repository root: docker build -f infra/docker/worker-gpu.Dockerfile -t pakati-worker-gpu .
# Run with the NVIDIA container toolkit (compose: the `gpu` profile; Kubernetes: nvidia.com/gpu).
#
# CUDA 11.8 + cuDNN 8, not 12: tfjs-node-gpu 4.22 links libtensorflow 2.9.1, built against CUDA 11.2 / cuDNN 8.1
# (it loads libcudart.so.11.0 and libcudnn.so.8, which CUDA 12 images do not have); 11.8 is minor-version compatible.
# Keep NODE_VERSION equal to bin/pakati's, PNPM_VERSION to package.json's packageManager and TFJS_VERSION to
# packages/backends' @tensorflow/tfjs (infra/checks tests all three).
ARG NODE_VERSION=22.23.3
ARG CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04

FROM node:${NODE_VERSION}-bookworm-slim AS node

# Node copied from the official image onto the CUDA base (glibc 2.35 there, Node needs 2.28).
FROM ${CUDA_IMAGE} AS cuda-node
COPY --from=node /usr/local/bin/ /usr/local/bin/
COPY --from=node /usr/local/lib/node_modules/ /usr/local/lib/node_modules/
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/sh --create-home node

FROM cuda-node AS build
ARG PNPM_VERSION=12.21.0
RUN npm install --global --no-fund --no-audit --loglevel=error pnpm@${PNPM_VERSION}
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter pakati --filter-prod "@pakati/worker..."

# The native binding is not in the lockfile (its install downloads libtensorflow, ~400 MB, which other hosts do not
# want): npm installs it here, and it lands in /node_modules, an ancestor of every workspace package, where Node's
# resolution from packages/backends finds it. The same tfjs version keeps one tfjs engine for both copies.
FROM cuda-node AS native
ARG TFJS_VERSION=4.22.0
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/tfjs-native
RUN npm install --no-fund --no-audit --loglevel=error "@tensorflow/tfjs-node-gpu@${TFJS_VERSION}"

FROM cuda-node AS runtime
ENV NODE_ENV=production \
    PAKATI_DATA_DIR=/data \
    PAKATI_WORKER_HTTP_HOST=0.0.0.0 \
    PAKATI_WORKER_HTTP_PORT=9464 \
    PAKATI_WORKER_QUEUES=generation-gpu \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    CUDA_CACHE_PATH=/tmp/cuda-cache
COPY infra/docker/healthcheck.mjs /usr/local/lib/pakati/healthcheck.mjs
COPY --from=native /opt/tfjs-native/node_modules /node_modules
COPY --from=build /app /app
RUN mkdir -p /data/blobs && chown -R node:node /data
USER node
WORKDIR /app/apps/worker
EXPOSE 9464
# Longer start: loading libtensorflow and the model onto the GPU takes a while.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "/usr/local/lib/pakati/healthcheck.mjs", "http://127.0.0.1:9464/health/ready"]
CMD ["node", "--import", "tsx", "src/main.ts"]
