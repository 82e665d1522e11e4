import { PakatiError } from '@pakati/core';
import { RUN_EVENT_TYPES } from '@pakati/db';
import { type RunEventRecord, streamRunEvents } from '@pakati/platform';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { RunErrorRef, RunRef } from './run.ts';

const RunEventTypeEnum = builder.enumType('RunEventType', { values: RUN_EVENT_TYPES });

export const RunEventRef = builder.interfaceRef<RunEventRecord>('RunEvent').implement({
  description: "One entry of a run's durable event log; seq is 1, 2, 3... per run with no gaps.",
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    type: t.field({ type: RunEventTypeEnum, resolve: (e) => e.type }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    runId: t.id({ resolve: (e) => encodeGlobalID('Run', e.runId) }),
  }),
});

const num = (e: RunEventRecord, key: string) => Number(e.payload[key] ?? 0);
const str = (e: RunEventRecord, key: string) =>
  typeof e.payload[key] === 'string' ? (e.payload[key] as string) : null;

builder.objectType(builder.objectRef<RunEventRecord>('RunQueuedEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'QUEUED',
  fields: () => ({}),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunStartedEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'STARTED',
  fields: (t) => ({ attempt: t.int({ resolve: (e) => num(e, 'attempt') || 1 }) }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunProgressEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'PROGRESS',
  fields: (t) => ({
    fraction: t.float({
      description:
        "Work done so far over the run's whole job graph, 0..1, weighted by measured step durations; never decreasing.",
      resolve: (e) => num(e, 'fraction'),
    }),
    step: t.int({ description: 'Parts of the job graph finished.', resolve: (e) => num(e, 'step') }),
    totalSteps: t.int({
      description: 'Parts of the job graph in all.',
      resolve: (e) => num(e, 'totalSteps'),
    }),
    message: t.string({ nullable: true, resolve: (e) => str(e, 'message') }),
    etaSeconds: t.float({
      nullable: true,
      description: 'Expected seconds until the run finishes, from the remaining work and the pace so far.',
      resolve: (e) => (typeof e.payload.etaSeconds === 'number' ? e.payload.etaSeconds : null),
    }),
    previewUrl: t.string({
      nullable: true,
      description: "A signed URL of the backend's preview at this point, when it sent one; it expires.",
      resolve: (e, _args, ctx) => {
        const key = str(e, 'previewKey');
        return key ? ctx.platform.images.signedUrl(key) : null;
      },
    }),
  }),
});

builder.objectField(RunRef, 'etaSeconds', (t) =>
  t.float({
    nullable: true,
    description:
      'RUNNING runs: expected seconds until the run finishes; null otherwise or before any progress.',
    resolve: async (r, _args, ctx) =>
      r.status === 'RUNNING' ? ((await ctx.platform.progress.current(r))?.etaSeconds ?? null) : null,
  }),
);
builder.objectType(builder.objectRef<RunEventRecord>('RunCompletedEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'COMPLETED',
  fields: (t) => ({
    imageUrl: t.string({
      description: 'A signed URL, fresh at delivery, that expires.',
      resolve: (e, _args, ctx) => ctx.platform.images.signedUrl(String(e.payload.imageKey)),
    }),
    width: t.int({ resolve: (e) => num(e, 'width') }),
    height: t.int({ resolve: (e) => num(e, 'height') }),
    durationMs: t.int({ resolve: (e) => Math.round(num(e, 'durationMs')) }),
  }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunFailedEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'FAILED',
  fields: (t) => ({
    error: t.field({
      type: RunErrorRef,
      resolve: (e) => ({ code: str(e, 'code') ?? 'INTERNAL', message: str(e, 'message') ?? 'failed' }),
    }),
  }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunStepEvent'), {
  description: 'A step of the work on one region: started, succeeded, or failed over to another backend.',
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'STEP',
  fields: (t) => ({
    regionId: t.id({
      nullable: true,
      resolve: (e) => (str(e, 'regionId') ? encodeGlobalID('Region', str(e, 'regionId')!) : null),
    }),
    status: t.string({ resolve: (e) => str(e, 'status') ?? 'UNKNOWN' }),
    backend: t.string({ nullable: true, resolve: (e) => str(e, 'backend') }),
    next: t.string({
      nullable: true,
      description: 'The backend tried next after a failover.',
      resolve: (e) => str(e, 'next'),
    }),
    attempt: t.int({
      nullable: true,
      resolve: (e) => (e.payload.attempt === undefined ? null : num(e, 'attempt')),
    }),
    seed: t.float({ nullable: true, resolve: (e) => (e.payload.seed === undefined ? null : num(e, 'seed')) }),
    message: t.string({ nullable: true, resolve: (e) => str(e, 'message') }),
  }),
});
const IterationRegionRef = builder.objectRef<Record<string, unknown>>('RunIterationRegion').implement({
  fields: (t) => ({
    regionId: t.id({ resolve: (r) => encodeGlobalID('Region', String(r.regionId)) }),
    score: t.float({ resolve: (r) => Number(r.score) }),
    scoreBefore: t.float({
      nullable: true,
      resolve: (r) => (typeof r.scoreBefore === 'number' ? r.scoreBefore : null),
    }),
    attributeDelta: t.float({ resolve: (r) => Number(r.attributeDelta) }),
  }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunIterationEvent'), {
  description:
    'One refinement iteration decided: its score, whether it was accepted, and the best so far. Iteration 0 is the baseline.',
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'ITERATION',
  fields: (t) => ({
    iteration: t.int({ resolve: (e) => num(e, 'iteration') }),
    accepted: t.boolean({ resolve: (e) => e.payload.accepted === true }),
    rejection: t.string({ nullable: true, resolve: (e) => str(e, 'rejection') }),
    score: t.float({ resolve: (e) => num(e, 'score') }),
    bestScore: t.float({ resolve: (e) => num(e, 'bestScore') }),
    bestIteration: t.int({ resolve: (e) => num(e, 'bestIteration') }),
    kernel: t.string({ nullable: true, resolve: (e) => str(e, 'kernel') }),
    thumbnailUrl: t.string({
      nullable: true,
      description:
        "A signed URL of this iteration's image (the candidate, accepted or not), 256 px on its long side.",
      resolve: (e, _args, ctx) => {
        const key = str(e, 'imageKey');
        return key ? ctx.platform.images.signedUrl(key, { maxSide: 256 }) : null;
      },
    }),
    regions: t.field({
      type: [IterationRegionRef],
      resolve: (e) =>
        Array.isArray(e.payload.regions) ? (e.payload.regions as Record<string, unknown>[]) : [],
    }),
  }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunRetryEvent'), {
  description: 'A job of the run failed and will be tried again after delayMs; the run goes on.',
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'RETRY',
  fields: (t) => ({
    jobName: t.string({ resolve: (e) => str(e, 'jobName') ?? 'unknown' }),
    attempt: t.int({ description: 'The attempt that failed, 1 first.', resolve: (e) => num(e, 'attempt') }),
    code: t.string({ resolve: (e) => str(e, 'code') ?? 'INTERNAL' }),
    message: t.string({ resolve: (e) => str(e, 'message') ?? 'failed' }),
    delayMs: t.int({ resolve: (e) => Math.round(num(e, 'delayMs')) }),
  }),
});
builder.objectType(builder.objectRef<RunEventRecord>('RunCancelledEvent'), {
  interfaces: [RunEventRef],
  isTypeOf: (e) => (e as RunEventRecord).type === 'CANCELLED',
  fields: (t) => ({ reason: t.string({ nullable: true, resolve: (e) => str(e, 'reason') }) }),
});

builder.subscriptionField('runEvents', (t) =>
  t.field({
    type: RunEventRef,
    description:
      'Replays stored events with seq > after (default 0), then continues live; no gap, no duplicate. Completes after the terminal event.',
    args: { runId: t.arg.globalID({ required: true }), after: t.arg.int() },
    subscribe: async (_root, { runId, after }, ctx) => {
      const run = await ctx.platform.runs.getRun(ctx.principal.organizationId, expectType(runId, 'Run'));
      const from = after ?? 0;
      if (!Number.isInteger(from) || from < 0) throw new PakatiError('BAD_USER_INPUT', 'after must be >= 0');
      return streamRunEvents({
        runId: run.id,
        after: from,
        pubsub: ctx.platform.pubsub,
        loadAfter: (id, seq) => ctx.platform.eventLog.loadAfter(id, seq),
      });
    },
    resolve: (event) => event,
  }),
);
