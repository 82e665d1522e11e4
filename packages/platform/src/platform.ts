import { type Orm, openOrm } from '@pakati/db';
import { JobQueues } from '@pakati/jobs';
import type { Redis } from 'ioredis';
import { BackendStatusBoard } from './backend-status.ts';
import { type BlobStore, FileBlobStore } from './blob-store.ts';
import type { Config } from './config.ts';
import { HistoryService } from './history.service.ts';
import { IdentityService } from './identity.service.ts';
import { ImageAccess } from './image-access.ts';
import { createLogger, type Logger } from './logger.ts';
import { ProjectService } from './project.service.ts';
import { createRedis } from './redis.ts';
import { RedisPubSub } from './redis-pubsub.ts';
import { ReferenceService } from './reference.service.ts';
import { RefinementService } from './refinement.service.ts';
import { RuleSetService } from './rule-set.service.ts';
import { RunService } from './run.service.ts';
import { RunEventLog } from './run-event-log.ts';
import { RunProgress } from './run-progress.ts';
import { UrlSigner } from './signed-url.ts';

/** Everything the API and the worker share, wired once; `close` releases it in reverse order. */
export interface Platform {
  config: Config;
  logger: Logger;
  orm: Orm;
  redis: Redis;
  pubsub: RedisPubSub;
  queues: JobQueues;
  blobs: BlobStore;
  backendStatus: BackendStatusBoard;
  eventLog: RunEventLog;
  progress: RunProgress;
  images: ImageAccess;
  identity: IdentityService;
  history: HistoryService;
  projects: ProjectService;
  references: ReferenceService;
  runs: RunService;
  ruleSets: RuleSetService;
  refinement: RefinementService;
  close(): Promise<void>;
}

export async function createPlatform(
  config: Config,
  service: string,
  options: { logger?: Logger } = {},
): Promise<Platform> {
  const logger = options.logger ?? createLogger(service, config.logLevel);
  const orm = await openOrm({ databaseUrl: config.databaseUrl });
  const redis = createRedis(config.redisUrl, `${service}:commands`);
  const subscriber = createRedis(config.redisUrl, `${service}:subscriber`);
  const pubsub = new RedisPubSub(redis, subscriber, config.queuePrefix);
  const queues = new JobQueues(redis, config.queuePrefix);
  const blobs = new FileBlobStore(config.blobDir);
  const eventLog = new RunEventLog(orm, pubsub, logger);
  const baseUrl = config.api.publicUrl ?? `http://${config.api.host}:${config.api.port}`;
  const images = new ImageAccess(
    orm,
    new UrlSigner(config.urlSigningSecret, config.imageUrlTtlSeconds),
    baseUrl,
  );
  return {
    config,
    logger,
    orm,
    redis,
    pubsub,
    queues,
    blobs,
    backendStatus: new BackendStatusBoard(redis, config.queuePrefix),
    eventLog,
    progress: new RunProgress(redis, config.queuePrefix),
    images,
    identity: new IdentityService(orm),
    history: new HistoryService(orm),
    projects: new ProjectService(orm, config.limits.canvas, config.backends.enabled),
    references: new ReferenceService(orm, blobs, {
      maxBytes: config.limits.uploadBytes,
      maxPixels: config.limits.uploadPixels,
    }),
    ruleSets: new RuleSetService(orm),
    refinement: new RefinementService(orm),
    runs: new RunService(orm, queues, eventLog, pubsub, logger, config.backends.enabled),
    async close() {
      await queues.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      await orm.close();
    },
  };
}
