import type { RunStatusChange } from '@pakati/platform';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { RunKindEnum, RunStatusEnum } from './run.ts';

const RunStatusChangeRef = builder.objectRef<RunStatusChange>('RunStatusChange').implement({
  description:
    'A run of the organization changed status; the first ones after subscribing are the current status of its unfinished runs.',
  fields: (t) => ({
    runId: t.id({ resolve: (c) => encodeGlobalID('Run', c.runId) }),
    projectId: t.id({ resolve: (c) => encodeGlobalID('Project', c.projectId) }),
    kind: t.field({ type: RunKindEnum, resolve: (c) => c.kind }),
    status: t.field({ type: RunStatusEnum, resolve: (c) => c.status }),
    previousStatus: t.field({
      type: RunStatusEnum,
      nullable: true,
      description: "Null for a run's first status (QUEUED) and for the current status sent on subscribing.",
      resolve: (c) => c.previousStatus,
    }),
    seq: t.int({
      description: "The run's event seq at this status: resume its runEvents with after = seq.",
      resolve: (c) => c.seq,
    }),
    at: t.field({ type: 'DateTime', resolve: (c) => c.at }),
  }),
});

builder.subscriptionField('organizationRunEvents', (t) =>
  t.field({
    type: RunStatusChangeRef,
    description:
      "Status changes of every run of the caller's organization, for dashboards: first the current status of its unfinished runs, then each change live, at most once and never older than what was sent for that run.",
    subscribe: (_root, _args, ctx) => ctx.platform.organizationEvents.stream(ctx.principal.organizationId),
    resolve: (change) => change,
  }),
);
