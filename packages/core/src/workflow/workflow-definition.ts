import { z } from 'zod';
import { PakatiError } from '../errors.ts';
import { REFINEMENT_STRATEGIES } from '../refinement/refinement-strategy.ts';
import { dependenciesOf, workflowLevels } from './workflow-graph.ts';

export const WORKFLOW_STEP_KINDS = ['generate', 'refine', 'inpaint', 'upscale', 'adjust', 'analyze'] as const;
export type WorkflowStepKind = (typeof WORKFLOW_STEP_KINDS)[number];
/** Every step but `generate` works on the image of the step named by its `input`. */
export const STEPS_WITH_INPUT: readonly WorkflowStepKind[] = [
  'refine',
  'inpaint',
  'upscale',
  'adjust',
  'analyze',
];
export const MAX_WORKFLOW_STEPS = 50;

const stepId = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,39}$/,
    'a step id is 1-40 lowercase letters, digits, _ or -, starting with a letter',
  );
const common = {
  id: stepId,
  dependsOn: z.array(stepId).max(MAX_WORKFLOW_STEPS).default([]),
};
const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const regionIds = z.array(z.uuid()).min(1).max(100);
const backend = z.string().min(1).max(64);

const stepSchemas = {
  /** The project's regions generated on a fresh canvas (all of them, or `regionIds`). */
  generate: z.strictObject({
    ...common,
    kind: z.literal('generate'),
    seed: seed.optional(),
    backend: backend.optional(),
    regionIds: regionIds.optional(),
  }),
  /** Regions inpainted into the input image (Pakati's apply-to-region). */
  inpaint: z.strictObject({
    ...common,
    kind: z.literal('inpaint'),
    input: stepId,
    seed: seed.optional(),
    backend: backend.optional(),
    regionIds: regionIds.optional(),
  }),
  /** The refinement loop on the input image, toward the project's references. */
  refine: z.strictObject({
    ...common,
    kind: z.literal('refine'),
    input: stepId,
    strategy: z.enum(REFINEMENT_STRATEGIES).optional(),
    maxIterations: z.number().int().min(1).max(20).optional(),
    targetScore: z.number().gt(0).max(1).optional(),
  }),
  upscale: z.strictObject({
    ...common,
    kind: z.literal('upscale'),
    input: stepId,
    factor: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
  }),
  adjust: z.strictObject({
    ...common,
    kind: z.literal('adjust'),
    input: stepId,
    brightness: z.number().min(0).max(4).optional(),
    contrast: z.number().min(0).max(4).optional(),
    saturation: z.number().min(0).max(4).optional(),
    hue: z.number().min(-360).max(360).optional(),
    sharpen: z.number().min(0).max(10).optional(),
  }),
  /** Per-region deltas of the input image against the references; the image passes through unchanged. */
  analyze: z.strictObject({ ...common, kind: z.literal('analyze'), input: stepId }),
};

export type WorkflowStep = { [K in WorkflowStepKind]: z.infer<(typeof stepSchemas)[K]> }[WorkflowStepKind];
export type WorkflowStepOf<K extends WorkflowStepKind> = Extract<WorkflowStep, { kind: K }>;

export interface WorkflowDefinition {
  steps: WorkflowStep[];
  /** The step whose image is the run's result. */
  output: string;
}

export type WorkflowErrorReason =
  | 'MALFORMED'
  | 'EMPTY'
  | 'TOO_MANY_STEPS'
  | 'UNKNOWN_STEP_KIND'
  | 'INVALID_STEP'
  | 'DUPLICATE_STEP'
  | 'UNKNOWN_DEPENDENCY'
  | 'SELF_DEPENDENCY'
  | 'CYCLE'
  | 'AMBIGUOUS_OUTPUT'
  | 'UNKNOWN_OUTPUT';

function invalid(
  reason: WorkflowErrorReason,
  message: string,
  details: Record<string, unknown> = {},
): PakatiError {
  return new PakatiError('INVALID_WORKFLOW', message, { reason, ...details });
}

/**
 * Parses and validates a workflow: shape, step kinds, parameters, unique ids, known dependencies, no cycles and one
 * output. Every failure is an `INVALID_WORKFLOW` error naming the reason and the step (path) at fault.
 */
export function parseWorkflow(input: unknown): WorkflowDefinition {
  const shape = z.object({ steps: z.array(z.unknown()), output: stepId.optional() }).safeParse(input);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    throw invalid('MALFORMED', `workflow: ${issue.message}`, { path: issue.path.join('.') });
  }
  const raw = shape.data.steps;
  if (raw.length === 0) throw invalid('EMPTY', 'a workflow needs at least one step');
  if (raw.length > MAX_WORKFLOW_STEPS) {
    throw invalid('TOO_MANY_STEPS', `a workflow has at most ${MAX_WORKFLOW_STEPS} steps, got ${raw.length}`);
  }
  const steps = raw.map((candidate, index): WorkflowStep => {
    const path = `steps.${index}`;
    const kind = (candidate as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(WORKFLOW_STEP_KINDS as readonly string[]).includes(kind)) {
      throw invalid(
        'UNKNOWN_STEP_KIND',
        `${path}.kind: unknown step kind ${JSON.stringify(kind)}; expected one of ${WORKFLOW_STEP_KINDS.join(', ')}`,
        { path: `${path}.kind` },
      );
    }
    const parsed = stepSchemas[kind as WorkflowStepKind].safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = [path, ...issue.path].join('.');
      throw invalid('INVALID_STEP', `${at}: ${issue.message}`, {
        path: at,
        step: (candidate as { id?: unknown }).id,
      });
    }
    return parsed.data as WorkflowStep;
  });
  const ids = new Set<string>();
  steps.forEach((step, index) => {
    if (ids.has(step.id)) {
      throw invalid('DUPLICATE_STEP', `steps.${index}.id: step id "${step.id}" is used twice`, {
        path: `steps.${index}.id`,
        step: step.id,
      });
    }
    ids.add(step.id);
  });
  steps.forEach((step, index) => {
    for (const dependency of dependenciesOf(step)) {
      if (dependency === step.id) {
        throw invalid('SELF_DEPENDENCY', `steps.${index}: step "${step.id}" depends on itself`, {
          path: `steps.${index}`,
          step: step.id,
        });
      }
      if (!ids.has(dependency)) {
        throw invalid(
          'UNKNOWN_DEPENDENCY',
          `steps.${index}: step "${step.id}" depends on unknown step "${dependency}"`,
          {
            path: `steps.${index}`,
            step: step.id,
            dependency,
          },
        );
      }
    }
  });
  workflowLevels({ steps }); // throws CYCLE naming the steps on it
  const definition = { steps, output: shape.data.output ?? soleSink(steps) };
  if (!ids.has(definition.output)) {
    throw invalid('UNKNOWN_OUTPUT', `output: unknown step "${definition.output}"`, { path: 'output' });
  }
  return definition;
}

/** Without an explicit output, the one step nothing depends on; several such steps must be disambiguated. */
function soleSink(steps: readonly WorkflowStep[]): string {
  const needed = new Set(steps.flatMap(dependenciesOf));
  const sinks = steps.filter((s) => !needed.has(s.id)).map((s) => s.id);
  if (sinks.length !== 1) {
    throw invalid(
      'AMBIGUOUS_OUTPUT',
      `output: name the step whose image is the result; candidates: ${sinks.join(', ')}`,
      { path: 'output', candidates: sinks },
    );
  }
  return sinks[0]!;
}
