import { compositeRegions, decodeImage, encodePng, pixelBox } from '@pakati/backends';
import { progressPartId } from '@pakati/core';
import { GenerationStepSchema, RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import { composeRunJob } from '@pakati/jobs';
import type { RunParameters } from '@pakati/platform';
import { seededBackground } from './canvas-background.ts';
import { defineProcessor, type JobContext } from './processor-registry.ts';
import { regionalPass } from './regional-pass.ts';
import { bestEffort, failRun, markRunStarted, settled } from './run-steps.ts';

async function complete(
  platform: JobContext['platform'],
  runId: string,
  imageKey: string,
  image: { width: number; height: number },
  durationMs: number,
) {
  await platform.progress.clear(runId);
  await platform.eventLog.transition(runId, {
    from: ['RUNNING'],
    to: 'SUCCEEDED',
    type: 'COMPLETED',
    payload: { imageKey, width: image.width, height: image.height, durationMs },
    patch: { progress: 1, resultImageKey: imageKey, resultWidth: image.width, resultHeight: image.height },
  });
}

/** Runs after every region job of the run: blends the regions in z-order through their feathered masks. */
export const composeRunProcessor = defineProcessor({
  contract: composeRunJob,

  async process({ runId }, ctx) {
    const { platform, job, signal } = ctx;
    const em = platform.orm.em.fork();
    const run = await em.findOne(RunSchema, { id: runId }, { populate: ['project'] });
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return;
    if (!(await markRunStarted(platform, run.id, job.attemptsMade + 1))) return;
    const params = run.parameters as unknown as RunParameters;
    const began = performance.now();
    // A worker that died after storing the result left its step: finish from it rather than make a second image.
    const done = await em.findOne(GenerationStepSchema, { run: runId, regionId: null, pass: 0 });
    if (done) {
      if (run.kind === 'REFINE')
        await platform.queues.enqueueRefinementIteration(runId, 0, [], [], run.priority);
      else await complete(platform, runId, done.imageKey, done, done.durationMs);
      return;
    }
    if (params.regionalConditioning) {
      const pass = await regionalPass(run, params, ctx);
      signal.throwIfAborted();
      const blob = await platform.blobs.put(await encodePng(pass.image));
      const durationMs = Math.round(performance.now() - began);
      em.create(GenerationStepSchema, {
        run,
        project: run.project,
        regionId: null,
        operation: 'generate',
        backend: pass.backend,
        model: pass.result.model,
        modelVersion: pass.result.modelVersion,
        seed: pass.result.seed,
        prompt: params.regions.map((r) => r.prompt).join(' | '),
        negativePrompt: null,
        parameters: {
          regionalConditioning: pass.conditioning.map((c) => ({
            regionId: c.regionId,
            positive: c.positive,
            negative: c.negative,
            negativeOutside: c.negativeOutside,
          })),
          canvas: params.canvas,
        },
        failovers: pass.failures.map((f) => ({
          backend: f.backend,
          kind: f.error.kind,
          message: f.error.message,
        })),
        durationMs,
        imageKey: blob.key,
        width: pass.image.width,
        height: pass.image.height,
      });
      await em.flush();
      await complete(platform, runId, blob.key, pass.image, durationMs);
      return;
    }
    await settled(
      platform,
      runId,
      platform.progress.report(run, progressPartId.compose(), 0.5, { message: 'blending regions' }),
    );
    const steps = await em.find(
      GenerationStepSchema,
      { run: runId, operation: { $ne: 'compose' } },
      { orderBy: { createdAt: 'desc' } },
    );
    const layers = await Promise.all(
      params.regions.map(async (region) => {
        const step = steps.find((s) => s.regionId === region.id);
        if (!step) throw new Error(`region ${region.id} has no generated image`);
        const bytes = await platform.blobs.get(step.imageKey);
        if (!bytes)
          throw new Error(`image ${step.imageKey} of region ${region.id} is missing from the blob store`);
        return {
          image: await decodeImage(bytes),
          box: pixelBox(region.points, params.canvas),
          points: region.points,
          featherPx: region.feather,
        };
      }),
    );
    signal.throwIfAborted();
    const base = params.base
      ? await decodeImage((await platform.blobs.get(params.base.imageKey)) ?? Buffer.alloc(0))
      : seededBackground(params.canvas.width, params.canvas.height, run.seed);
    const composed = await compositeRegions(base, layers);
    const blob = await platform.blobs.put(await encodePng(composed));
    const durationMs = Math.round(performance.now() - began);
    em.create(GenerationStepSchema, {
      run,
      project: run.project,
      regionId: null,
      operation: 'compose',
      backend: 'compositor',
      model: 'sharp',
      modelVersion: '1',
      seed: run.seed,
      prompt: params.regions.map((r) => r.prompt).join(' | '),
      negativePrompt: null,
      parameters: { regions: params.regions.map((r) => r.id), canvas: params.canvas },
      failovers: [],
      durationMs,
      imageKey: blob.key,
      width: composed.width,
      height: composed.height,
    });
    await em.flush();
    bestEffort(platform, runId, platform.stepDurations.record('compose', durationMs));
    if (run.kind === 'REFINE') {
      await settled(
        platform,
        runId,
        platform.progress.report(run, progressPartId.compose(), 1, { message: 'baseline generated' }),
      );
      // The generated image is the refinement's baseline: its iteration 0 analyses it.
      await platform.queues.enqueueRefinementIteration(runId, 0, [], [], run.priority);
      return;
    }
    await complete(platform, runId, blob.key, composed, durationMs);
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
