import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import { AnalysisRecordSchema } from './entities/analysis-record.entity.ts';
import { ApiKeySchema } from './entities/api-key.entity.ts';
import { AuditEntrySchema } from './entities/audit-entry.entity.ts';
import { GenerationStepSchema } from './entities/generation-step.entity.ts';
import { MemberSchema } from './entities/member.entity.ts';
import { OrganizationSchema } from './entities/organization.entity.ts';
import { ProjectSchema } from './entities/project.entity.ts';
import { ReferenceSchema } from './entities/reference.entity.ts';
import { ReferenceUnderstandingSchema } from './entities/reference-understanding.entity.ts';
import { RefinementEvidenceSchema } from './entities/refinement-evidence.entity.ts';
import { RefinementIterationSchema } from './entities/refinement-iteration.entity.ts';
import { RegionSchema } from './entities/region.entity.ts';
import { RuleSetSchema } from './entities/rule-set.entity.ts';
import { RunSchema } from './entities/run.entity.ts';
import { RunEventSchema } from './entities/run-event.entity.ts';
import { RunFailureSchema } from './entities/run-failure.entity.ts';
import { WebhookAttemptSchema } from './entities/webhook-attempt.entity.ts';
import { WebhookDeliverySchema } from './entities/webhook-delivery.entity.ts';
import { WebhookEndpointSchema } from './entities/webhook-endpoint.entity.ts';
import { WorkflowSchema } from './entities/workflow.entity.ts';

export const ENTITIES = [
  OrganizationSchema,
  MemberSchema,
  ApiKeySchema,
  AuditEntrySchema,
  ProjectSchema,
  RegionSchema,
  ReferenceSchema,
  RunSchema,
  RunEventSchema,
  GenerationStepSchema,
  RuleSetSchema,
  ReferenceUnderstandingSchema,
  AnalysisRecordSchema,
  RefinementIterationSchema,
  RefinementEvidenceSchema,
  RunFailureSchema,
  WorkflowSchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  WebhookAttemptSchema,
];

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OrmOptions {
  databaseUrl: string;
  /** Only the migration generator needs the schema snapshot; running migrations must never write files. */
  writeSnapshot?: boolean;
  poolMax?: number;
  debug?: boolean;
}

export function createOrmConfig({
  databaseUrl,
  poolMax = 10,
  debug = false,
  writeSnapshot = false,
}: OrmOptions) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: poolMax },
    debug,
    // Every request, job and subscription event works on its own fork; a global context would leak state.
    allowGlobalContext: false,
    migrations: {
      path: migrationsDir,
      pathTs: migrationsDir,
      glob: '!(*.d).{js,ts}',
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      snapshot: writeSnapshot,
      snapshotName: '.snapshot-pakati',
      silent: true,
    },
  });
}
