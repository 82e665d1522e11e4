import type { Analytics, BackendUsage, RunsPerDay } from '@pakati/platform';
import { builder } from '../builder.ts';

const RunsPerDayRef = builder.objectRef<RunsPerDay>('RunsPerDay').implement({
  description: 'Runs created on one UTC day, by how they ended so far.',
  fields: (t) => ({
    day: t.field({ type: 'DateTime', description: 'UTC midnight starting the day.', resolve: (d) => d.day }),
    total: t.exposeInt('total', { description: 'Every run created that day, unfinished ones included.' }),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
  }),
});

const BackendUsageRef = builder.objectRef<BackendUsage>('BackendUsage').implement({
  description: "One backend's generation steps in the window (the compositor's compose steps excluded).",
  fields: (t) => ({
    backend: t.exposeString('backend'),
    steps: t.exposeInt('steps', { description: 'Steps this backend produced.' }),
    failedOver: t.exposeInt('failedOver', {
      description: 'Steps that this backend failed and another backend then produced.',
    }),
    p50DurationMs: t.float({
      nullable: true,
      description: 'Median step duration; null without steps.',
      resolve: (b) => b.p50DurationMs,
    }),
    p95DurationMs: t.float({
      nullable: true,
      description: '95th percentile step duration; null without steps.',
      resolve: (b) => b.p95DurationMs,
    }),
    estimatedCost: t.float({
      nullable: true,
      description:
        "An estimate in USD: steps x the backend's cost per image at today's price as the workers report it (past prices are not kept). Null while no worker has reported the price.",
      resolve: (b) => b.estimatedCost,
    }),
  }),
});

const AnalyticsRef = builder.objectRef<Analytics>('Analytics').implement({
  description: "The organization's runs and backend usage over the last `days` UTC days, today included.",
  fields: (t) => ({
    days: t.exposeInt('days'),
    since: t.field({
      type: 'DateTime',
      description: 'UTC midnight starting the window.',
      resolve: (a) => a.since,
    }),
    runsPerDay: t.field({
      type: [RunsPerDayRef],
      description: 'One entry per day of the window, oldest first; days without runs have zeros.',
      resolve: (a) => a.runsPerDay,
    }),
    total: t.exposeInt('total'),
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    successRate: t.float({
      nullable: true,
      description:
        'succeeded / (succeeded + failed): cancelled and unfinished runs are left out. Null when none succeeded or failed.',
      resolve: (a) => a.successRate,
    }),
    backends: t.field({
      type: [BackendUsageRef],
      description: 'Every backend that produced or failed over a step in the window, by name.',
      resolve: (a) => a.backends,
    }),
  }),
});

builder.queryField('analytics', (t) =>
  t.field({
    type: AnalyticsRef,
    description:
      "Runs per day, success rate and per-backend durations and cost, for the caller's organization.",
    args: {
      days: t.arg.int({ defaultValue: 30, description: 'The window in UTC days, today included: 1-365.' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.platform.analytics.summary(ctx.principal.organizationId, args.days ?? 30),
  }),
);
