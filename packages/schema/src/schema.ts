import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/viewer.ts';
import './types/api-key.ts';
import './types/model.ts';
import './types/rule-set.ts';
import './types/region.ts';
import './types/reference.ts';
import './types/run.ts';
import './types/run-event.ts';
import './types/queue.ts';
import './types/organization-events.ts';
import './types/project.ts';
import './types/webhook.ts';
import './types/worker.ts';
import './types/workflow.ts';
import './types/analytics.ts';

export const schema = builder.toSchema({ sortSchema: true });
