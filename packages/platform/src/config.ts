import path from 'node:path';
import { loadBackendsConfig } from '@pakati/backends/config';
import { RUN_PRIORITY } from '@pakati/jobs';
import { z } from 'zod';
import { parseTrustedProxies } from './client-address.ts';
import { secretValues } from './logger.ts';
import { parseTierQuotas } from './tier-quotas.ts';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule } from './webhook-retry-schedule.ts';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const priority = (fallback: number) =>
  z.coerce.number().int().min(RUN_PRIORITY.min).max(RUN_PRIORITY.max).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
    REDIS_URL: z.string().min(1, 'REDIS_URL is required'),
    PAKATI_DATA_DIR: z.string().default('.data'),
    PAKATI_BLOB_DIR: z.string().optional(),
    PAKATI_API_HOST: z.string().default('127.0.0.1'),
    PAKATI_API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    PAKATI_PUBLIC_URL: z.url().optional(),
    PAKATI_CORS_ORIGINS: z.string().default('http://127.0.0.1:3000,http://localhost:3000'),
    PAKATI_URL_SIGNING_SECRET: z.string().min(32).optional(),
    // Signs web session tokens (HS256); every API replica needs the same one.
    PAKATI_SESSION_SECRET: z.string().min(32).optional(),
    PAKATI_SESSION_TTL_SECONDS: int(12 * 3600),
    // JSON, merged over the defaults per tier: {"STARTER":{"requestsPerMinute":600}}.
    PAKATI_TIER_QUOTAS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        try {
          return parseTierQuotas(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    PAKATI_GRAPHQL_MAX_DEPTH: int(12),
    PAKATI_GRAPHQL_MAX_ALIASES: int(30),
    PAKATI_GRAPHQL_MAX_TOKENS: int(5000),
    PAKATI_GRAPHQL_MAX_COST: int(20000),
    PAKATI_GRAPHQL_MAX_DIRECTIVES: int(50),
    // Introspection is off in production unless this says otherwise; on elsewhere.
    PAKATI_GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
    // Failed sign-ins allowed per client address per minute before it is told to wait.
    PAKATI_AUTH_FAILURES_PER_MINUTE: int(30),
    // Proxies (addresses or CIDRs) whose X-Forwarded-For is believed, for the client address of limits and audit.
    PAKATI_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((text, ctx) => {
        try {
          return parseTrustedProxies(text);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `addresses or CIDR ranges, comma-separated: ${(error as Error).message}`,
          });
          return z.NEVER;
        }
      }),
    PAKATI_IMAGE_URL_TTL_SECONDS: int(3600),
    // `{name}` is a Redis Cluster hash tag: every key of ours then lands in one slot, as BullMQ needs on a cluster.
    PAKATI_QUEUE_PREFIX: z
      .string()
      .regex(/^(\{[a-z0-9:_-]+\}|[a-z0-9:_-]+)$/i, 'letters, digits, : _ - (optionally in one {hash tag})')
      .default('pakati'),
    PAKATI_MAX_CANVAS_WIDTH: int(4096),
    PAKATI_MAX_CANVAS_HEIGHT: int(4096),
    PAKATI_MAX_REGIONS: int(10),
    PAKATI_MAX_UPLOAD_BYTES: int(20 * 1024 * 1024),
    PAKATI_MAX_UPLOAD_PIXELS: int(40_000_000),
    PAKATI_WORKER_CONCURRENCY: int(2),
    PAKATI_SHUTDOWN_GRACE_MS: int(20_000),
    // At most one PROGRESS event per run per interval, across workers; 0 writes every update.
    PAKATI_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
    // A crashed worker's job goes back to the queue once its lock expires and a stall check sees it.
    PAKATI_WORKER_LOCK_MS: int(30_000),
    PAKATI_WORKER_MAX_STALLED: z.coerce.number().int().min(0).default(2),
    // A worker that misses 3 heartbeats drops out of the fleet.
    PAKATI_WORKER_HEARTBEAT_MS: int(5000),
    // One model on one GPU: concurrent inference there mostly contends for memory.
    PAKATI_WORKER_GPU_CONCURRENCY: int(1),
    // Run priorities, 1..10 (higher runs sooner): the default for runs that do not ask, per organization tier.
    PAKATI_PRIORITY_STARTER: priority(3),
    PAKATI_PRIORITY_PROFESSIONAL: priority(5),
    PAKATI_PRIORITY_ENTERPRISE: priority(7),
    // Enables Bull Board at /admin/queues for whoever presents it (HTTP Basic as admin, or Bearer).
    PAKATI_ADMIN_TOKEN: z.string().min(32).optional(),
    // Webhook targets on loopback/private/link-local networks are refused unless allowed here (SSRF guard).
    PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['false', 'loopback', 'all']).default('false'),
    PAKATI_WEBHOOK_TIMEOUT_MS: int(15_000),
    PAKATI_WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
      .transform((text, ctx) => {
        try {
          return parseRetrySchedule(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    // How often the worker re-enqueues webhook deliveries whose job was lost (and how overdue they must be).
    PAKATI_WEBHOOK_SWEEP_INTERVAL_MS: int(30_000),
    PAKATI_WEBHOOK_MAX_ENDPOINTS: int(25),
    // Observability: GET /metrics asks for this bearer token when set; the worker serves metrics and health on its own port.
    PAKATI_METRICS_TOKEN: z.string().min(16).optional(),
    PAKATI_WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
    PAKATI_WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    PAKATI_HEALTH_TIMEOUT_MS: int(2000),
    // Traces go out over OTLP/HTTP only when an endpoint is set; without one no SDK starts.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    PAKATI_OTEL_ENDPOINT: z.url().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    for (const name of ['PAKATI_URL_SIGNING_SECRET', 'PAKATI_SESSION_SECRET'] as const) {
      if (env.NODE_ENV === 'production' && !env[name]) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
      }
    }
  });

export type Config = ReturnType<typeof loadConfig>;

/** Reads and validates the environment once; a bad value stops the process with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.PAKATI_DATA_DIR);
  // Outside production a missing secret gets a per-process random one: URLs then die with the process.
  const urlSigningSecret = c.PAKATI_URL_SIGNING_SECRET ?? crypto.randomUUID() + crypto.randomUUID();
  return {
    env: c.NODE_ENV,
    logLevel: c.LOG_LEVEL,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    dataDir,
    blobDir: path.resolve(c.PAKATI_BLOB_DIR ?? path.join(dataDir, 'blobs')),
    api: {
      host: c.PAKATI_API_HOST,
      port: c.PAKATI_API_PORT,
      publicUrl: c.PAKATI_PUBLIC_URL ?? null,
      corsOrigins: c.PAKATI_CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    urlSigningSecret,
    /** Values the logger censors wherever they appear. */
    logSecrets: [...secretValues(env), urlSigningSecret],
    session: {
      secret: c.PAKATI_SESSION_SECRET ?? crypto.randomUUID() + crypto.randomUUID(),
      ttlSeconds: c.PAKATI_SESSION_TTL_SECONDS,
    },
    quotas: c.PAKATI_TIER_QUOTAS,
    graphql: {
      maxDepth: c.PAKATI_GRAPHQL_MAX_DEPTH,
      maxAliases: c.PAKATI_GRAPHQL_MAX_ALIASES,
      maxTokens: c.PAKATI_GRAPHQL_MAX_TOKENS,
      maxCost: c.PAKATI_GRAPHQL_MAX_COST,
      maxDirectives: c.PAKATI_GRAPHQL_MAX_DIRECTIVES,
      introspection: c.PAKATI_GRAPHQL_INTROSPECTION
        ? c.PAKATI_GRAPHQL_INTROSPECTION === 'true'
        : c.NODE_ENV !== 'production',
    },
    authFailuresPerMinute: c.PAKATI_AUTH_FAILURES_PER_MINUTE,
    trustedProxies: c.PAKATI_TRUSTED_PROXIES,
    imageUrlTtlSeconds: c.PAKATI_IMAGE_URL_TTL_SECONDS,
    queuePrefix: c.PAKATI_QUEUE_PREFIX,
    limits: {
      canvas: {
        maxWidth: c.PAKATI_MAX_CANVAS_WIDTH,
        maxHeight: c.PAKATI_MAX_CANVAS_HEIGHT,
        maxPixels: c.PAKATI_MAX_CANVAS_WIDTH * c.PAKATI_MAX_CANVAS_HEIGHT,
        maxRegions: c.PAKATI_MAX_REGIONS,
      },
      uploadBytes: c.PAKATI_MAX_UPLOAD_BYTES,
      uploadPixels: c.PAKATI_MAX_UPLOAD_PIXELS,
    },
    worker: {
      concurrency: c.PAKATI_WORKER_CONCURRENCY,
      shutdownGraceMs: c.PAKATI_SHUTDOWN_GRACE_MS,
      lockMs: c.PAKATI_WORKER_LOCK_MS,
      maxStalledCount: c.PAKATI_WORKER_MAX_STALLED,
      heartbeatMs: c.PAKATI_WORKER_HEARTBEAT_MS,
      gpuConcurrency: c.PAKATI_WORKER_GPU_CONCURRENCY,
    },
    tierPriorities: {
      STARTER: c.PAKATI_PRIORITY_STARTER,
      PROFESSIONAL: c.PAKATI_PRIORITY_PROFESSIONAL,
      ENTERPRISE: c.PAKATI_PRIORITY_ENTERPRISE,
    },
    adminToken: c.PAKATI_ADMIN_TOKEN ?? null,
    webhooks: {
      allowPrivateTargets: c.PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: c.PAKATI_WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: c.PAKATI_WEBHOOK_RETRY_SCHEDULE,
      sweepIntervalMs: c.PAKATI_WEBHOOK_SWEEP_INTERVAL_MS,
      maxEndpoints: c.PAKATI_WEBHOOK_MAX_ENDPOINTS,
    },
    progress: { intervalMs: c.PAKATI_PROGRESS_INTERVAL_MS },
    observability: {
      metricsToken: c.PAKATI_METRICS_TOKEN ?? null,
      workerHttp: { host: c.PAKATI_WORKER_HTTP_HOST, port: c.PAKATI_WORKER_HTTP_PORT },
      healthTimeoutMs: c.PAKATI_HEALTH_TIMEOUT_MS,
      otlpEndpoint: c.PAKATI_OTEL_ENDPOINT ?? c.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
      serviceName: c.OTEL_SERVICE_NAME ?? null,
    },
    backends: loadBackendsConfig(env),
  };
}
