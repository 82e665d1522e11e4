export { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key-codec.ts';
export {
  BackendStatusBoard,
  type ModelSummary,
  type WorkerBackendStatus,
  type WorkerInfo,
} from './backend-status.ts';
export { type BlobStore, FileBlobStore, isBlobKey, type StoredBlob } from './blob-store.ts';
export { type Config, loadConfig } from './config.ts';
export { HistoryService } from './history.service.ts';
export { bearerToken, IdentityService, type Principal } from './identity.service.ts';
export { ImageAccess } from './image-access.ts';
export { keysetCursor, keysetQuery, type PageQuery } from './keyset-page.ts';
export { createLogger, type Logger } from './logger.ts';
export { createPlatform, type Platform } from './platform.ts';
export {
  checkBackend,
  isUuid,
  ProjectService,
  type RegionInput,
  type RegionPatch,
} from './project.service.ts';
export { createRedis } from './redis.ts';
export { type PubSubTopics, RedisPubSub } from './redis-pubsub.ts';
export { inspectImage, ReferenceService } from './reference.service.ts';
export { RefinementService } from './refinement.service.ts';
export { type EffectiveRuleSet, RuleSetService } from './rule-set.service.ts';
export { type RefineReference, type RunParameters, RunService, type StartRunInput } from './run.service.ts';
export {
  type CommitListener,
  type RunEventContext,
  RunEventLog,
  type Transition,
  type TransitionHook,
  toRecord,
} from './run-event-log.ts';
export { isTerminalEvent, type RunEventRecord } from './run-event-record.ts';
export { type RunEventStreamOptions, type StoredEventsPage, streamRunEvents } from './run-event-stream.ts';
export { RunProgress } from './run-progress.ts';
export { UrlSigner } from './signed-url.ts';
