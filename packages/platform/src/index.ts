export {
  type Analytics,
  AnalyticsService,
  type BackendUsage,
  MAX_ANALYTICS_DAYS,
  type RunsPerDay,
} from './analytics.service.ts';
export { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key-codec.ts';
export { AuditLog, type AuditRecord, auditInput } from './audit-log.ts';
export {
  effectivePermissions,
  forbidden,
  type Permission,
  requirePermission,
} from './authorization.ts';
export { BackendStatusBoard, type ModelSummary, type WorkerBackendStatus } from './backend-status.ts';
export { type BlobStore, FileBlobStore, isBlobKey, type StoredBlob } from './blob-store.ts';
export { clientAddress, parseTrustedProxies } from './client-address.ts';
export { type Config, loadConfig } from './config.ts';
export { CredentialEvents } from './credential-events.ts';
export { HistoryService } from './history.service.ts';
export { bearerToken, IdentityService, type Principal } from './identity.service.ts';
export { ImageAccess } from './image-access.ts';
export { keysetCursor, keysetQuery, type PageQuery } from './keyset-page.ts';
export {
  createLogger,
  type LogContext,
  type Logger,
  type LoggerOptions,
  scrubSecrets,
  secretValues,
  withLogContext,
} from './logger.ts';
export { MemberService } from './member.service.ts';
export { createMetricsRegistry, serveMetrics } from './metrics-registry.ts';
export { OrganizationRunEvents, type RunStatusChange } from './organization-run-events.ts';
export { createPlatform, type Platform } from './platform.ts';
export { runGraph } from './progress-graph.ts';
export { ProgressThrottle } from './progress-throttle.ts';
export {
  checkBackend,
  isUuid,
  ProjectService,
  type RegionInput,
  type RegionPatch,
} from './project.service.ts';
export {
  PENDING_STATES,
  type PendingJob,
  type PendingState,
  type QueueCounts,
  QueueStatsService,
} from './queue-stats.service.ts';
export { QuotaService, type RateLimitState } from './quota.service.ts';
export { createRedis } from './redis.ts';
export { type PubSubTopics, RedisPubSub } from './redis-pubsub.ts';
export { inspectImage, ReferenceService } from './reference.service.ts';
export { RefinementService } from './refinement.service.ts';
export { type EffectiveRuleSet, RuleSetService } from './rule-set.service.ts';
export {
  type Batch,
  gpuRegionIds,
  MAX_BATCH_RUNS,
  type RefineReference,
  type RunParameters,
  RunService,
  type RunVariant,
  type StartRunInput,
  type StartRunsInput,
} from './run.service.ts';
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
export { type ProgressRun, type ProgressUpdate, RunProgress } from './run-progress.ts';
export { SessionTokens } from './session-token.ts';
export { UrlSigner } from './signed-url.ts';
export { StepDurations } from './step-durations.ts';
export { queueTelemetry, startTelemetry } from './telemetry.ts';
export { DEFAULT_TIER_QUOTAS, parseTierQuotas, type TierQuota } from './tier-quotas.ts';
export {
  type EndpointWithSecret,
  type WebhookEndpointInput,
  type WebhookEndpointPatch,
  WebhookService,
} from './webhook.service.ts';
export { failUnsent, logWebhookAttempt } from './webhook-attempt-log.ts';
export { WebhookDispatch } from './webhook-dispatch.ts';
export { renderWebhookBody, webhookPayload } from './webhook-payload.ts';
export { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule, retryDelay } from './webhook-retry-schedule.ts';
export { postWebhook, type WebhookResponse, type WebhookSendOptions } from './webhook-sender.ts';
export {
  generateWebhookSecret,
  liveSecrets,
  rotateSecrets,
  webhookHeaders,
  webhookMessageId,
} from './webhook-signing.ts';
export { checkWebhookUrl, isAllowedAddress, type PrivateTargetPolicy } from './webhook-target-guard.ts';
export {
  type JobInHand,
  MISSED_HEARTBEATS,
  type WorkerDevice,
  WorkerFleet,
  type WorkerRecord,
  type WorkerState,
} from './worker-fleet.ts';
export { WorkflowService, type WorkflowSnapshot } from './workflow.service.ts';
