import {
  adjustImage,
  analyzeAgainstReferences,
  createUpscaler,
  refineInProcess,
  sharpenImage,
  type Upscaler,
} from '@pakati/backends';
import {
  deriveSeed,
  PakatiError,
  parseRuleSet,
  type RasterImage,
  validateRefinementSettings,
  type WorkflowStep,
  type WorkflowStepOf,
} from '@pakati/core';
import type { Run } from '@pakati/db';
import { seededBackground } from './canvas-background.ts';
import type { JobContext } from './processor-registry.ts';
import type { RefineParameters } from './refinement-run.ts';
import { refineTargets } from './refinement-run.ts';
import { type GeneratedRegion, generateRegionWithFailover } from './region-generator.ts';
import type { WorkflowRunParameters } from './workflow-run.ts';

export interface StepResult {
  image: RasterImage;
  /** False when the step measured and passed its input through (analyze): no new image to store. */
  changed: boolean;
  report?: Record<string, unknown>;
  history: (GeneratedRegion['history'] & { image: RasterImage })[];
}

interface StepContext extends Pick<JobContext, 'platform' | 'backends' | 'analysis' | 'signal'> {
  run: Run;
  params: WorkflowRunParameters;
}

// One upscaler per worker process: its models load once and stay for later steps.
let upscaler: Upscaler | null = null;

function regionsOf(step: { id: string; regionIds?: string[] | undefined }, params: WorkflowRunParameters) {
  if (!step.regionIds) return params.regions;
  const wanted = new Set(step.regionIds);
  return params.regions.filter((r) => wanted.has(r.id));
}

/** Generate and inpaint paint the project's regions one by one in z-order, each with failover across backends. */
async function paintRegions(
  step: WorkflowStepOf<'generate'> | WorkflowStepOf<'inpaint'>,
  canvas: RasterImage,
  ctx: StepContext,
): Promise<StepResult> {
  const { params, run } = ctx;
  const seed = step.seed ?? deriveSeed(run.seed, 'workflow', step.id);
  let image = canvas;
  const history: StepResult['history'] = [];
  for (const [index, region] of params.regions.entries()) {
    if (!regionsOf(step, params).includes(region)) continue;
    const generated = await generateRegionWithFailover({
      backends: ctx.backends,
      image,
      region: {
        id: region.id,
        points: region.points,
        featherPx: region.feather,
        prompt: region.prompt,
        negativePrompt: region.negativePrompt,
      },
      kind: step.kind === 'generate' ? 'regenerate' : 'inpaint',
      strength: 1,
      seed: region.seed ?? deriveSeed(seed, 'region', index),
      backend: region.model ?? step.backend ?? params.backend,
      signal: ctx.signal,
    });
    image = generated.image;
    history.push({ ...generated.history, image });
  }
  return { image, changed: true, history };
}

function refineParameters(params: WorkflowRunParameters, stepId: string): RefineParameters {
  if (!params.refine) {
    throw new PakatiError('PRECONDITION_FAILED', `step "${stepId}" needs reference images`, {
      reason: 'NO_REFERENCES',
      step: stepId,
    });
  }
  return params as RefineParameters;
}

async function refine(
  step: WorkflowStepOf<'refine'>,
  input: RasterImage,
  ctx: StepContext,
): Promise<StepResult> {
  const params = refineParameters(ctx.params, step.id);
  const settings = validateRefinementSettings({
    ...params.refine.settings,
    ...(step.strategy ? { strategy: step.strategy } : {}),
    ...(step.maxIterations ? { maxIterations: step.maxIterations } : {}),
    ...(step.targetScore ? { targetScore: step.targetScore } : {}),
  });
  const { regions, primary } = await refineTargets(params, ctx.analysis);
  const effective = await ctx.platform.ruleSets.effective(ctx.run.organization.id, ctx.run.project.id);
  const history: StepResult['history'] = [];
  const outcome = await refineInProcess({
    image: input,
    regions,
    ruleSet: parseRuleSet(effective.text),
    settings,
    kernel: ctx.analysis.kernel.kernel,
    generate: async (image, target, generative, iteration) => {
      ctx.signal.throwIfAborted();
      const region = params.regions.find((r) => r.id === target.id)!;
      const generated = await generateRegionWithFailover({
        backends: ctx.backends,
        image,
        region: { ...target, prompt: region.prompt, negativePrompt: region.negativePrompt },
        kind: generative.kind,
        strength: generative.strength,
        seed: deriveSeed(ctx.run.seed, 'workflow', step.id, target.id, iteration),
        backend: region.model ?? params.backend ?? (generative.kind === 'inpaint' ? 'patchmatch' : null),
        reference: primary.get(target.id) ?? null,
        signal: ctx.signal,
      });
      history.push({ ...generated.history, image: generated.image });
      return generated.image;
    },
  });
  const score = (a: { regions: { score: number }[] }) =>
    a.regions.reduce((sum, r) => sum + r.score, 0) / Math.max(1, a.regions.length);
  return {
    image: outcome.image,
    changed: true,
    history,
    report: {
      stop: outcome.stop,
      strategy: settings.strategy,
      iterations: outcome.iterations.length,
      accepted: outcome.iterations.filter((i) => i.accepted).length,
      baselineScore: score(outcome.baseline),
      bestScore: score(outcome.best),
    },
  };
}

async function analyze(
  step: WorkflowStepOf<'analyze'>,
  input: RasterImage,
  ctx: StepContext,
): Promise<StepResult> {
  const params = refineParameters(ctx.params, step.id);
  const { regions } = await refineTargets(params, ctx.analysis);
  const analysis = await analyzeAgainstReferences(input, regions, ctx.analysis.kernel.kernel);
  return {
    image: input,
    changed: false,
    history: [],
    report: {
      kernel: analysis.kernel,
      regions: analysis.regions.map((r) => ({
        regionId: r.regionId,
        score: r.score,
        attributeDelta: r.attributeDelta,
        hashDistance: r.hashDistance,
        deltas: r.report,
      })),
    },
  };
}

async function adjust(step: WorkflowStepOf<'adjust'>, input: RasterImage): Promise<StepResult> {
  const { brightness, contrast, saturation, hue, sharpen } = step;
  let image = await adjustImage(input, { brightness, contrast, saturation, hue });
  if (sharpen) image = await sharpenImage(image, { sigma: sharpen });
  return { image, changed: true, history: [] };
}

async function upscale(
  step: WorkflowStepOf<'upscale'>,
  input: RasterImage,
  ctx: StepContext,
): Promise<StepResult> {
  upscaler ??= createUpscaler();
  const result = await upscaler.upscale(input, step.factor, { signal: ctx.signal });
  return {
    image: result.image,
    changed: true,
    history: [],
    report: { method: result.method, runtime: result.runtime, ms: Math.round(result.ms) },
  };
}

/** Runs one step on its input image (null only for generate, which starts from the seeded canvas). */
export async function executeWorkflowStep(
  step: WorkflowStep,
  input: RasterImage | null,
  ctx: StepContext,
): Promise<StepResult> {
  if (step.kind === 'generate') {
    const { width, height } = ctx.params.canvas;
    const seed = step.seed ?? deriveSeed(ctx.run.seed, 'workflow', step.id);
    return paintRegions(step, seededBackground(width, height, seed), ctx);
  }
  if (!input) throw new Error(`step "${step.id}" has no input image`);
  switch (step.kind) {
    case 'inpaint':
      return paintRegions(step, input, ctx);
    case 'refine':
      return refine(step, input, ctx);
    case 'analyze':
      return analyze(step, input, ctx);
    case 'adjust':
      return adjust(step, input);
    case 'upscale':
      return upscale(step, input, ctx);
  }
}
