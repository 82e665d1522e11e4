import type { QueueCounts } from '@pakati/platform';
import { builder } from '../builder.ts';

const QueueStatsRef = builder.objectRef<QueueCounts>('QueueStats').implement({
  description: 'Jobs of one BullMQ queue by state, across every organization, and the workers consuming it.',
  fields: (t) => ({
    name: t.exposeString('name'),
    waiting: t.exposeInt('waiting', {
      description: 'Waiting without a priority (taken before prioritized).',
    }),
    prioritized: t.exposeInt('prioritized', { description: 'Waiting, in priority order.' }),
    active: t.exposeInt('active'),
    delayed: t.exposeInt('delayed', { description: 'Waiting out a retry backoff.' }),
    waitingChildren: t.exposeInt('waitingChildren', {
      description: 'Flow parents waiting for their children.',
    }),
    failed: t.exposeInt('failed'),
    completed: t.exposeInt('completed'),
    paused: t.exposeBoolean('paused', { description: 'A paused queue keeps its jobs waiting.' }),
    workers: t.exposeInt('workers', { description: 'Worker connections consuming this queue now.' }),
  }),
});

builder.queryField('queues', (t) =>
  t.field({
    type: [QueueStatsRef],
    description: 'Every job queue with its counts.',
    resolve: (_root, _args, ctx) => ctx.platform.queueStats.counts(),
  }),
);
