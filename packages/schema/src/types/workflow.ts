import { WORKFLOW_STEP_KINDS, type WorkflowDefinition, type WorkflowStep } from '@pakati/core';
import type { Workflow } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { ProjectRef } from './project.ts';
import { RefinementStrategyEnum } from './refinement.ts';
import { RunRef } from './run.ts';

const WorkflowStepKindEnum = builder.enumType('WorkflowStepKind', {
  values: Object.fromEntries(WORKFLOW_STEP_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<WorkflowStep['kind']>,
    { value: WorkflowStep['kind'] }
  >,
});

const field = <K extends string>(step: WorkflowStep, key: K): unknown =>
  (step as unknown as Record<string, unknown>)[key] ?? null;

const WorkflowStepRef = builder.objectRef<WorkflowStep>('WorkflowStep').implement({
  description: 'One step of a workflow. Parameters that do not apply to its kind are null.',
  fields: (t) => ({
    id: t.string({ resolve: (s) => s.id }),
    kind: t.field({ type: WorkflowStepKindEnum, resolve: (s) => s.kind }),
    dependsOn: t.stringList({ resolve: (s) => s.dependsOn }),
    input: t.string({ nullable: true, resolve: (s) => field(s, 'input') as string | null }),
    seed: t.float({ nullable: true, resolve: (s) => field(s, 'seed') as number | null }),
    backend: t.string({ nullable: true, resolve: (s) => field(s, 'backend') as string | null }),
    regionIds: t.idList({
      nullable: true,
      resolve: (s) =>
        (field(s, 'regionIds') as string[] | null)?.map((id) => encodeGlobalID('Region', id)) ?? null,
    }),
    strategy: t.field({
      type: RefinementStrategyEnum,
      nullable: true,
      resolve: (s) => field(s, 'strategy') as never,
    }),
    maxIterations: t.int({ nullable: true, resolve: (s) => field(s, 'maxIterations') as number | null }),
    targetScore: t.float({ nullable: true, resolve: (s) => field(s, 'targetScore') as number | null }),
    factor: t.int({ nullable: true, resolve: (s) => field(s, 'factor') as number | null }),
    brightness: t.float({ nullable: true, resolve: (s) => field(s, 'brightness') as number | null }),
    contrast: t.float({ nullable: true, resolve: (s) => field(s, 'contrast') as number | null }),
    saturation: t.float({ nullable: true, resolve: (s) => field(s, 'saturation') as number | null }),
    hue: t.float({ nullable: true, resolve: (s) => field(s, 'hue') as number | null }),
    sharpen: t.float({ nullable: true, resolve: (s) => field(s, 'sharpen') as number | null }),
  }),
});

const definitionOf = (w: Workflow) => w.definition as unknown as WorkflowDefinition;

export const WorkflowRef = builder.node(builder.objectRef<Workflow>('Workflow'), {
  description: 'A saved DAG of steps; startWorkflow runs it, independent steps in parallel.',
  id: { resolve: (w) => w.id },
  loadOne: (id, ctx) => ctx.platform.workflows.find(ctx.principal.organizationId, id),
  fields: (t) => ({
    name: t.exposeString('name'),
    steps: t.field({ type: [WorkflowStepRef], resolve: (w) => definitionOf(w).steps }),
    output: t.string({
      description: 'The step whose image is the run result.',
      resolve: (w) => definitionOf(w).output,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (w) => w.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (w) => w.updatedAt }),
  }),
});

builder.objectField(ProjectRef, 'workflows', (t) =>
  t.connection({
    type: WorkflowRef,
    description: 'Newest first.',
    resolve: (p, args, ctx) =>
      resolveCursorConnection<Promise<Workflow[]>>(
        { args, toCursor: (w: Workflow) => keysetCursor(w), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.workflows.list(p.id, page),
      ),
  }),
);

const WorkflowStepInput = builder.inputType('WorkflowStepInput', {
  description: 'One step; set only the parameters its kind takes (others are refused).',
  fields: (t) => ({
    id: t.string({ required: true, description: '1-40 lowercase letters, digits, _ or -.' }),
    kind: t.field({ type: WorkflowStepKindEnum, required: true }),
    dependsOn: t.stringList({ description: 'Steps that must finish first (besides the input).' }),
    input: t.string({ description: 'The step whose image this one works on (all kinds but GENERATE).' }),
    seed: t.float({ description: 'GENERATE, INPAINT: an unsigned 32-bit seed.' }),
    backend: t.string({ description: 'GENERATE, INPAINT: a backend for regions that name none.' }),
    regionIds: t.globalIDList({ description: 'GENERATE, INPAINT: only these regions (all when omitted).' }),
    strategy: t.field({ type: RefinementStrategyEnum, description: 'REFINE.' }),
    maxIterations: t.int({ description: 'REFINE: 1-20.' }),
    targetScore: t.float({ description: 'REFINE: (0, 1].' }),
    factor: t.int({ description: 'UPSCALE: 2, 3, 4 or 8.' }),
    brightness: t.float({ description: 'ADJUST: multiplier, 1 = unchanged.' }),
    contrast: t.float({ description: 'ADJUST: multiplier, 1 = unchanged.' }),
    saturation: t.float({ description: 'ADJUST: multiplier, 1 = unchanged.' }),
    hue: t.float({ description: 'ADJUST: rotation in degrees.' }),
    sharpen: t.float({ description: 'ADJUST: unsharp-mask sigma.' }),
  }),
});

builder.relayMutationField(
  'saveWorkflow',
  {
    inputFields: (t) => ({
      projectId: t.globalID({ required: true }),
      name: t.string({
        required: true,
        description: "Saving under an existing name replaces that workflow's steps.",
      }),
      steps: t.field({ type: [WorkflowStepInput], required: true }),
      output: t.string({
        description: 'The step whose image is the result; needed when several steps end the graph.',
      }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => {
      // Unset GraphQL fields arrive as null or undefined: only what was given reaches validation.
      const steps = input.steps.map(({ regionIds, dependsOn, ...rest }) => ({
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined)),
        ...(dependsOn ? { dependsOn } : {}),
        ...(regionIds ? { regionIds: regionIds.map((id) => expectType(id, 'Region')) } : {}),
      }));
      return {
        workflow: await ctx.platform.workflows.save(ctx.principal.organizationId, {
          projectId: expectType(input.projectId, 'Project'),
          name: input.name,
          definition: { steps, ...(input.output ? { output: input.output } : {}) },
        }),
      };
    },
  },
  { outputFields: (t) => ({ workflow: t.field({ type: WorkflowRef, resolve: (p) => p.workflow }) }) },
);

builder.relayMutationField(
  'deleteWorkflow',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    resolve: async (_root, { input }, ctx) => ({
      deletedWorkflowId: encodeGlobalID(
        'Workflow',
        await ctx.platform.workflows.delete(ctx.principal.organizationId, expectType(input.id, 'Workflow')),
      ),
    }),
  },
  { outputFields: (t) => ({ deletedWorkflowId: t.id({ resolve: (p) => p.deletedWorkflowId }) }) },
);

builder.relayMutationField(
  'startWorkflow',
  {
    inputFields: (t) => ({
      workflowId: t.globalID({ required: true }),
      seed: t.float({ description: 'An unsigned 32-bit integer; steps derive their seeds from it.' }),
      idempotencyKey: t.string({ description: 'Retrying with the same key returns the original run.' }),
      backend: t.string({ description: 'A backend for every region and step that names none.' }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => {
      const workflow = await ctx.platform.workflows.get(
        ctx.principal.organizationId,
        expectType(input.workflowId, 'Workflow'),
      );
      return {
        run: await ctx.platform.runs.startRun(ctx.principal.organizationId, {
          projectId: workflow.project.id,
          kind: 'WORKFLOW',
          workflowId: workflow.id,
          seed: input.seed ?? null,
          idempotencyKey: input.idempotencyKey ?? null,
          backend: input.backend ?? null,
        }),
      };
    },
  },
  { outputFields: (t) => ({ run: t.field({ type: RunRef, resolve: (p) => p.run }) }) },
);

interface WorkflowStepState {
  stepId: string;
  kind: WorkflowStep['kind'];
  status: string;
  attempt: number | null;
  imageKey: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  report: Record<string, unknown> | null;
}

const WorkflowStepStateRef = builder.objectRef<WorkflowStepState>('WorkflowStepState').implement({
  description:
    'A step of a WORKFLOW run as its events tell it: PENDING, STARTED or SUCCEEDED, with its image.',
  fields: (t) => ({
    stepId: t.exposeString('stepId'),
    kind: t.field({ type: WorkflowStepKindEnum, resolve: (s) => s.kind }),
    status: t.exposeString('status'),
    attempt: t.int({ nullable: true, resolve: (s) => s.attempt }),
    imageUrl: t.string({
      nullable: true,
      args: { maxSide: t.arg.int() },
      resolve: (s, args, ctx) =>
        s.imageKey ? ctx.platform.images.signedUrl(s.imageKey, { maxSide: args.maxSide }) : null,
    }),
    width: t.int({ nullable: true, resolve: (s) => s.width }),
    height: t.int({ nullable: true, resolve: (s) => s.height }),
    durationMs: t.int({ nullable: true, resolve: (s) => s.durationMs }),
    reportJson: t.string({
      nullable: true,
      description:
        'ANALYZE: per-region scores and deltas; REFINE: stop reason and scores; UPSCALE: method. As JSON.',
      resolve: (s) => (s.report ? JSON.stringify(s.report) : null),
    }),
  }),
});

builder.objectField(RunRef, 'workflowSteps', (t) =>
  t.field({
    type: [WorkflowStepStateRef],
    description: 'WORKFLOW runs: every step in execution order; empty for other kinds.',
    resolve: async (run, _args, ctx) => {
      const workflow = (
        run.parameters as { workflow?: { definition: WorkflowDefinition; levels: string[][] } }
      ).workflow;
      if (!workflow) return [];
      const states = new Map<string, WorkflowStepState>();
      for (const event of await ctx.platform.eventLog.loadAfter(run.id, 0, 10_000).then((p) => p.events)) {
        const p = event.payload as Record<string, unknown>;
        if (event.type !== 'STEP' || typeof p.workflowStep !== 'string') continue;
        states.set(p.workflowStep, {
          stepId: p.workflowStep,
          kind: p.kind as WorkflowStep['kind'],
          status: String(p.status),
          attempt: typeof p.attempt === 'number' ? p.attempt : (states.get(p.workflowStep)?.attempt ?? null),
          imageKey: typeof p.imageKey === 'string' ? p.imageKey : null,
          width: typeof p.width === 'number' ? p.width : null,
          height: typeof p.height === 'number' ? p.height : null,
          durationMs: typeof p.durationMs === 'number' ? p.durationMs : null,
          report: (p.report as Record<string, unknown>) ?? null,
        });
      }
      const kinds = new Map(workflow.definition.steps.map((s) => [s.id, s.kind]));
      return workflow.levels.flat().map(
        (stepId) =>
          states.get(stepId) ?? {
            stepId,
            kind: kinds.get(stepId)!,
            status: 'PENDING',
            attempt: null,
            imageKey: null,
            width: null,
            height: null,
            durationMs: null,
            report: null,
          },
      );
    },
  }),
);
