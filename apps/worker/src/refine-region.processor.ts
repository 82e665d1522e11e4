import {
  decodeImage,
  encodePng,
  type GenerativeStep,
  type RegionGenerator,
  renderRegionPlan,
} from '@pakati/backends';
import { deriveSeed, progressPartId, type RegionPlan } from '@pakati/core';
import { GenerationStepSchema, RefinementIterationSchema } from '@pakati/db';
import { refineRegionJob } from '@pakati/jobs';
import { defineProcessor } from './processor-registry.ts';
import { activeRefineRun, refineTargets } from './refinement-run.ts';
import { generateRegionWithFailover } from './region-generator.ts';
import { bestEffort, failRun } from './run-steps.ts';

export interface RegionPatch {
  regionId: string;
  patchKey: string;
  steps: { kind: string; applied: boolean; note?: string }[];
}

/**
 * Applies one region's plan for an iteration to the best image so far and stores the result as a patch (the whole
 * image, changed only inside the region). Generative steps go to a backend (PatchMatch from the reference by
 * default for inpainting), and are kept in the generation history like any other step.
 */
export const refineRegionProcessor = defineProcessor({
  contract: refineRegionJob,

  async process({ runId, iteration, regionId }, { platform, signal, backends, analysis }) {
    const active = await activeRefineRun(platform, runId);
    if (!active) return null;
    const { run, params } = active;
    const jobBegan = performance.now();
    const em = platform.orm.em.fork();
    const row = await em.findOne(RefinementIterationSchema, { run: runId, index: iteration });
    if (!row) throw new Error(`iteration ${iteration} of run ${runId} was never planned`);
    const plan = (row.plans as unknown as RegionPlan[]).find((p) => p.regionId === regionId);
    const region = params.regions.find((r) => r.id === regionId);
    const { regions, primary } = await refineTargets(params, analysis, regionId);
    if (!plan || !region || regions.length === 0)
      throw new Error(`region ${regionId} has no plan in iteration ${iteration}`);
    const bytes = await platform.blobs.get(row.baseImageKey);
    if (!bytes) throw new Error(`base image ${row.baseImageKey} is missing from the blob store`);
    const base = await decodeImage(bytes);

    // Idempotent: a job re-run after a crash reuses the region's stored generation instead of adding another.
    const stored = await em.find(GenerationStepSchema, { run: runId, regionId, pass: iteration });
    const generate: RegionGenerator = async (image, target, step: GenerativeStep) => {
      const operation = step.kind === 'regenerate' ? 'generate' : 'inpaint';
      const earlier = stored.find((s) => s.operation === operation);
      const earlierBytes = earlier ? await platform.blobs.get(earlier.imageKey) : null;
      if (earlierBytes) return decodeImage(earlierBytes);
      const generated = await generateRegionWithFailover({
        backends,
        image,
        region: { ...target, prompt: region.prompt, negativePrompt: region.negativePrompt },
        kind: step.kind,
        strength: step.strength,
        // A new seed per iteration: regenerating with the old one would give back the same pixels.
        seed: deriveSeed(run.seed, 'refine', regionId, iteration),
        backend: region.model ?? params.backend ?? (operation === 'inpaint' ? 'patchmatch' : null),
        reference: primary.get(regionId) ?? null,
        signal,
      });
      const blob = await platform.blobs.put(await encodePng(generated.image));
      em.create(GenerationStepSchema, {
        ...generated.history,
        run,
        project: run.project,
        pass: iteration,
        parameters: { refinement: { iteration, step } },
        imageKey: blob.key,
        width: generated.image.width,
        height: generated.image.height,
      });
      return generated.image;
    };

    const result = await renderRegionPlan(base, regions[0]!, plan, iteration, generate, signal);
    signal.throwIfAborted();
    const patch = await platform.blobs.put(await encodePng(result.image));
    await em.flush();
    bestEffort(platform, runId, platform.stepDurations.record('refine-region', performance.now() - jobBegan));
    bestEffort(
      platform,
      runId,
      platform.progress.report(run, progressPartId.refineRegion(iteration, regionId), 1, {
        message: `iteration ${iteration}: region refined`,
      }),
    );
    return {
      regionId,
      patchKey: patch.key,
      steps: result.steps.map((s) => ({
        kind: s.step.kind,
        applied: s.applied,
        ...(s.note ? { note: s.note } : {}),
      })),
    } satisfies RegionPatch;
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
