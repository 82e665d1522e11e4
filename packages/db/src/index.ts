export { type AnalysisRecord, AnalysisRecordSchema } from './entities/analysis-record.entity.ts';
export { API_KEY_SCOPES, type ApiKey, ApiKeySchema, type ApiKeyScope } from './entities/api-key.entity.ts';
export { type AuditEntry, AuditEntrySchema } from './entities/audit-entry.entity.ts';
export {
  GENERATION_OPERATIONS,
  type GenerationOperation,
  type GenerationStep,
  GenerationStepSchema,
} from './entities/generation-step.entity.ts';
export { MEMBER_ROLES, type Member, type MemberRole, MemberSchema } from './entities/member.entity.ts';
export {
  ORGANIZATION_TIERS,
  type Organization,
  OrganizationSchema,
  type OrganizationTier,
} from './entities/organization.entity.ts';
export { type Project, ProjectSchema } from './entities/project.entity.ts';
export { type Reference, ReferenceSchema } from './entities/reference.entity.ts';
export {
  type ReferenceUnderstanding,
  ReferenceUnderstandingSchema,
  type UnderstandingAttempt,
} from './entities/reference-understanding.entity.ts';
export { type RefinementEvidence, RefinementEvidenceSchema } from './entities/refinement-evidence.entity.ts';
export {
  ITERATION_STATUSES,
  type IterationStatus,
  type RefinementIteration,
  RefinementIterationSchema,
} from './entities/refinement-iteration.entity.ts';
export { type Region, RegionSchema } from './entities/region.entity.ts';
export { type RuleSet, RuleSetSchema } from './entities/rule-set.entity.ts';
export {
  RUN_KINDS,
  RUN_STATUSES,
  type Run,
  type RunError,
  type RunKind,
  RunSchema,
  type RunStatus,
  TERMINAL_RUN_STATUSES,
} from './entities/run.entity.ts';
export {
  RUN_EVENT_TYPES,
  type RunEvent,
  RunEventSchema,
  type RunEventType,
  TERMINAL_RUN_EVENT_TYPES,
} from './entities/run-event.entity.ts';
export { type RunFailure, RunFailureSchema } from './entities/run-failure.entity.ts';
export { type WebhookAttempt, WebhookAttemptSchema } from './entities/webhook-attempt.entity.ts';
export {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDelivery,
  WebhookDeliverySchema,
  type WebhookDeliveryStatus,
} from './entities/webhook-delivery.entity.ts';
export {
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpoint,
  WebhookEndpointSchema,
  type WebhookEventType,
  type WebhookSecret,
} from './entities/webhook-endpoint.entity.ts';
export { type Workflow, WorkflowSchema } from './entities/workflow.entity.ts';
export { type Orm, openOrm } from './orm.ts';
export { createOrmConfig, ENTITIES, type OrmOptions } from './orm-config.ts';
