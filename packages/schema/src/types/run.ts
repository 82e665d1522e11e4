import { RUN_KINDS, RUN_STATUSES, type Run, type RunFailure } from '@pakati/db';
import { MAX_BATCH_RUNS, type StartRunInput } from '@pakati/platform';
import { resolveArrayConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { GenerationStepRef } from './generation-step.ts';
import { RefinementIterationRef, RefinementStrategyEnum } from './refinement.ts';

export const RunStatusEnum = builder.enumType('RunStatus', { values: RUN_STATUSES });
export const RunKindEnum = builder.enumType('RunKind', { values: RUN_KINDS });

export const RunErrorRef = builder.objectRef<{ code: string; message: string }>('RunError').implement({
  fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
});

const RunFailureRef = builder.objectRef<RunFailure>('RunFailure').implement({
  description: 'One failed attempt of one of the jobs a run is made of.',
  fields: (t) => ({
    jobName: t.exposeString('jobName', { description: 'e.g. render-region, compose-run.' }),
    attempt: t.exposeInt('attempt', { description: "1 for the job's first attempt." }),
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    willRetry: t.exposeBoolean('willRetry', {
      description: 'False on the attempt that ended the job (and with it the run).',
    }),
    at: t.field({ type: 'DateTime', resolve: (f) => f.createdAt }),
  }),
});

export const RunRef = builder.node(builder.objectRef<Run>('Run'), {
  id: { resolve: (r) => r.id },
  loadOne: (id, ctx) => ctx.platform.runs.findRun(ctx.principal.organizationId, id),
  fields: (t) => ({
    kind: t.field({ type: RunKindEnum, resolve: (r) => r.kind }),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    progress: t.float({
      description: 'Fraction of the work done, 0..1.',
      resolve: (r) => Number(r.progress),
    }),
    seed: t.float({
      description: 'The unsigned 32-bit seed used; pass it again to reproduce the image.',
      resolve: (r) => r.seed,
    }),
    imageUrl: t.string({
      nullable: true,
      resolve: (r, _args, ctx) => (r.resultImageKey ? ctx.platform.images.signedUrl(r.resultImageKey) : null),
    }),
    error: t.field({ type: RunErrorRef, nullable: true, resolve: (r) => r.error ?? null }),
    priority: t.exposeInt('priority', { description: '1..10; higher runs sooner.' }),
    batchId: t.id({
      nullable: true,
      description: 'Runs started together by one startRuns call share it.',
      resolve: (r) => r.batchId ?? null,
    }),
    queuePosition: t.int({
      nullable: true,
      description:
        "1-based place of the run's next waiting job in its queue (by priority, then age); null when none waits.",
      resolve: (r, _args, ctx) =>
        r.status === 'QUEUED' || r.status === 'RUNNING' ? ctx.platform.queueStats.queuePosition(r.id) : null,
    }),
    failures: t.field({
      type: [RunFailureRef],
      description: 'Error history, oldest first: every failed attempt of every job, retried or final.',
      resolve: (r, _args, ctx) => ctx.platform.runs.failures(r.id),
    }),
    lastEventSeq: t.exposeInt('lastEventSeq', {
      description: 'Subscribe with after = this to get only new events.',
    }),
    steps: t.field({
      type: [GenerationStepRef],
      description: 'What this run generated, region by region, then the composition.',
      resolve: (r, _args, ctx) => ctx.platform.history.runSteps(r.id),
    }),
    iterations: t.connection({
      type: RefinementIterationRef,
      description: 'REFINE runs: every iteration, baseline (0) first; at most maxIterations + 1.',
      resolve: async (r, args, ctx) =>
        resolveArrayConnection({ args }, await ctx.platform.refinement.iterations(r.id)),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startedAt ?? null }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.finishedAt ?? null }),
  }),
});

builder.queryField('run', (t) =>
  t.field({
    type: RunRef,
    nullable: true,
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (_root, { id }, ctx) =>
      id.typename === 'Run' ? ctx.platform.runs.findRun(ctx.principal.organizationId, id.id) : null,
  }),
);

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/** What startRun and startRuns share: everything that shapes a run but its seed. */
const runOptionFields = (t: InputFields) => ({
  projectId: t.globalID({ required: true }),
  kind: t.field({ type: RunKindEnum, required: true }),
  priority: t.int({
    description: "1..10, higher runs sooner; omitted, the organization tier's default.",
  }),
  backend: t.string({
    description: 'A backend for every region that names none; omitted, the selector chooses.',
  }),
  enhancePrompts: t.boolean({
    description: "Rewrite each region's prompt with the configured enhancer first; history keeps both.",
  }),
  regionalConditioning: t.boolean({
    description:
      'Generate the canvas in one pass on a backend with regional prompting: each prompt inside its region, and as a negative outside it.',
  }),
  referenceId: t.globalID({ description: 'UNDERSTAND runs: the reference to reconstruct and score.' }),
  strategies: t.stringList({
    description: 'UNDERSTAND runs: masking strategies to use (all registered ones when omitted).',
  }),
  strategy: t.field({
    type: RefinementStrategyEnum,
    description: 'REFINE runs: how to refine (ADAPTIVE when omitted).',
  }),
  maxIterations: t.int({
    description: 'REFINE runs: iterations after the baseline, 1 to 20 (default 5).',
  }),
  targetScore: t.float({
    description: 'REFINE runs: stop once the score reaches this, in (0, 1] (default 0.8).',
  }),
  baseRunId: t.globalID({
    description:
      "Inpaint the regions into this earlier run's image (same project and canvas) instead of a fresh canvas.",
  }),
});

interface RunOptionsInput {
  projectId: { typename: string; id: string };
  kind: Run['kind'];
  priority?: number | null;
  backend?: string | null;
  enhancePrompts?: boolean | null;
  regionalConditioning?: boolean | null;
  referenceId?: { typename: string; id: string } | null;
  strategies?: string[] | null;
  strategy?: StartRunInput['strategy'];
  maxIterations?: number | null;
  targetScore?: number | null;
  baseRunId?: { typename: string; id: string } | null;
}

const runOptions = (input: RunOptionsInput): Omit<StartRunInput, 'seed' | 'idempotencyKey'> => ({
  projectId: expectType(input.projectId, 'Project'),
  kind: input.kind,
  priority: input.priority ?? null,
  backend: input.backend ?? null,
  baseRunId: input.baseRunId ? expectType(input.baseRunId, 'Run') : null,
  enhancePrompts: input.enhancePrompts ?? false,
  regionalConditioning: input.regionalConditioning ?? false,
  referenceId: input.referenceId ? expectType(input.referenceId, 'Reference') : null,
  strategies: input.strategies ?? null,
  strategy: input.strategy ?? null,
  maxIterations: input.maxIterations ?? null,
  targetScore: input.targetScore ?? null,
});

builder.relayMutationField(
  'startRun',
  {
    inputFields: (t) => ({
      ...runOptionFields(t),
      seed: t.float({
        description: 'An unsigned 32-bit integer; omitted, one is drawn and reported on the run.',
      }),
      idempotencyKey: t.string({ description: 'Retrying with the same key returns the original run.' }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => ({
      run: await ctx.platform.runs.startRun(ctx.principal.organizationId, {
        ...runOptions(input),
        seed: input.seed ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
      }),
    }),
  },
  { outputFields: (t) => ({ run: t.field({ type: RunRef, resolve: (p) => p.run }) }) },
);

const RunVariantInput = builder.inputType('StartRunVariantInput', {
  description: 'What one run of a batch does differently; anything not given is the batch-wide option.',
  fields: (t) => ({
    seed: t.float({ description: 'Omitted, one is drawn.' }),
    backend: t.string(),
    enhancePrompts: t.boolean(),
    strategy: t.field({ type: RefinementStrategyEnum }),
    maxIterations: t.int(),
    targetScore: t.float(),
  }),
});

builder.relayMutationField(
  'startRuns',
  {
    inputFields: (t) => ({
      ...runOptionFields(t),
      seeds: t.floatList({ description: 'One run per seed.' }),
      count: t.int({ description: 'This many runs, each with a drawn seed.' }),
      variants: t.field({ type: [RunVariantInput], description: 'One run per variant.' }),
      idempotencyKey: t.string({ description: 'Retrying with the same key returns the original batch.' }),
    }),
  },
  {
    description: `Starts 1 to ${MAX_BATCH_RUNS} runs of one project at once: give exactly one of seeds, count or variants.`,
    resolve: async (_root, { input }, ctx) =>
      ctx.platform.runs.startRuns(ctx.principal.organizationId, {
        ...runOptions(input),
        seeds: input.seeds ?? null,
        count: input.count ?? null,
        variants: input.variants ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
      }),
  },
  {
    outputFields: (t) => ({
      batchId: t.id({ resolve: (p) => p.batchId }),
      runs: t.field({ type: [RunRef], resolve: (p) => p.runs }),
    }),
  },
);

const CancelRunPayloadRef = builder.objectRef<{ run: Run }>('CancelRunPayload').implement({
  fields: (t) => ({ run: t.field({ type: RunRef, resolve: (p) => p.run }) }),
});

builder.mutationField('cancelRun', (t) =>
  t.field({
    type: CancelRunPayloadRef,
    args: { id: t.arg.globalID({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      run: await ctx.platform.runs.cancelRun(ctx.principal.organizationId, expectType(id, 'Run')),
    }),
  }),
);
