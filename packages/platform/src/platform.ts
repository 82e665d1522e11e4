import { type Orm, openOrm } from '@pakati/db';
import { JobQueues } from '@pakati/jobs';
import type { Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import { AnalyticsService } from './analytics.service.ts';
import { AuditLog } from './audit-log.ts';
import { BackendStatusBoard } from './backend-status.ts';
import { type BlobStore, FileBlobStore } from './blob-store.ts';
import type { Config } from './config.ts';
import { CredentialEvents } from './credential-events.ts';
import { HistoryService } from './history.service.ts';
import { IdentityService } from './identity.service.ts';
import { ImageAccess } from './image-access.ts';
import { createLogger, type Logger } from './logger.ts';
import { MemberService } from './member.service.ts';
import { OrganizationRunEvents } from './organization-run-events.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import { ProjectService } from './project.service.ts';
import { QueueStatsService } from './queue-stats.service.ts';
import { QuotaService } from './quota.service.ts';
import { createRedis } from './redis.ts';
import { RedisPubSub } from './redis-pubsub.ts';
import { ReferenceService } from './reference.service.ts';
import { RefinementService } from './refinement.service.ts';
import { RuleSetService } from './rule-set.service.ts';
import { RunService } from './run.service.ts';
import { RunEventLog } from './run-event-log.ts';
import { RunProgress } from './run-progress.ts';
import { SessionTokens } from './session-token.ts';
import { UrlSigner } from './signed-url.ts';
import { StepDurations } from './step-durations.ts';
import { WebhookService } from './webhook.service.ts';
import { WebhookDispatch } from './webhook-dispatch.ts';
import { registerWebhookOutbox } from './webhook-outbox.ts';
import { WorkerFleet } from './worker-fleet.ts';
import { WorkflowService } from './workflow.service.ts';

/** Everything the API and the worker share, wired once; `close` releases it in reverse order. */
export interface Platform {
  config: Config;
  logger: Logger;
  orm: Orm;
  redis: Redis;
  pubsub: RedisPubSub;
  queues: JobQueues;
  queueStats: QueueStatsService;
  analytics: AnalyticsService;
  blobs: BlobStore;
  backendStatus: BackendStatusBoard;
  fleet: WorkerFleet;
  eventLog: RunEventLog;
  progress: RunProgress;
  stepDurations: StepDurations;
  organizationEvents: OrganizationRunEvents;
  images: ImageAccess;
  identity: IdentityService;
  members: MemberService;
  credentialEvents: CredentialEvents;
  audit: AuditLog;
  quotas: QuotaService;
  history: HistoryService;
  projects: ProjectService;
  references: ReferenceService;
  runs: RunService;
  ruleSets: RuleSetService;
  refinement: RefinementService;
  webhooks: WebhookService;
  webhookDispatch: WebhookDispatch;
  workflows: WorkflowService;
  close(): Promise<void>;
}

export async function createPlatform(
  config: Config,
  service: string,
  options: { logger?: Logger; queueTelemetry?: Telemetry } = {},
): Promise<Platform> {
  const logger = options.logger ?? createLogger(service, config.logLevel, { secrets: config.logSecrets });
  const orm = await openOrm({ databaseUrl: config.databaseUrl });
  const redis = createRedis(config.redisUrl, `${service}:commands`);
  const subscriber = createRedis(config.redisUrl, `${service}:subscriber`, { subscriber: true });
  const pubsub = new RedisPubSub(redis, subscriber, config.queuePrefix);
  const queues = new JobQueues(redis, config.queuePrefix, options.queueTelemetry);
  const blobs = new FileBlobStore(config.blobDir);
  const eventLog = new RunEventLog(orm, pubsub, logger);
  const webhookDispatch = new WebhookDispatch(orm, queues, logger);
  registerWebhookOutbox(eventLog, webhookDispatch);
  const stepDurations = new StepDurations(redis, config.queuePrefix);
  const organizationEvents = new OrganizationRunEvents(orm, pubsub);
  organizationEvents.attach(eventLog);
  const baseUrl = config.api.publicUrl ?? `http://${config.api.host}:${config.api.port}`;
  const images = new ImageAccess(
    orm,
    new UrlSigner(config.urlSigningSecret, config.imageUrlTtlSeconds),
    baseUrl,
  );
  const workflows = new WorkflowService(orm, config.limits.canvas);
  const queueStats = new QueueStatsService(redis, queues);
  const backendStatus = new BackendStatusBoard(redis, config.queuePrefix);
  const credentialEvents = new CredentialEvents(pubsub);
  const quotas = new QuotaService(
    orm,
    redis,
    config.queuePrefix,
    config.quotas,
    config.authFailuresPerMinute,
  );
  return {
    config,
    logger,
    orm,
    redis,
    pubsub,
    queues,
    blobs,
    backendStatus,
    analytics: new AnalyticsService(orm, backendStatus, config.backends.enabled),
    fleet: new WorkerFleet(redis, config.queuePrefix),
    eventLog,
    progress: new RunProgress(redis, config.queuePrefix, {
      eventLog,
      durations: stepDurations,
      throttle: new ProgressThrottle(redis, config.queuePrefix, config.progress.intervalMs),
      blobs,
    }),
    stepDurations,
    organizationEvents,
    images,
    identity: new IdentityService(orm, new SessionTokens(config.session.secret), credentialEvents),
    members: new MemberService(orm, credentialEvents),
    credentialEvents,
    audit: new AuditLog(orm),
    quotas,
    history: new HistoryService(orm),
    projects: new ProjectService(orm, config.limits.canvas, config.backends.enabled),
    references: new ReferenceService(orm, blobs, {
      maxBytes: config.limits.uploadBytes,
      maxPixels: config.limits.uploadPixels,
    }),
    ruleSets: new RuleSetService(orm),
    refinement: new RefinementService(orm),
    webhooks: new WebhookService(orm, webhookDispatch, config.webhooks),
    webhookDispatch,
    workflows,
    queueStats,
    runs: new RunService(
      orm,
      queues,
      eventLog,
      pubsub,
      logger,
      config.backends.enabled,
      workflows,
      queueStats,
      config.tierPriorities,
      quotas,
    ),
    async close() {
      await queues.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await orm.close();
    },
  };
}
