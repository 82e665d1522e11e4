import {
  decodeImage,
  encodePng,
  extractBox,
  generationSize,
  type PixelBox,
  pixelBox,
  regionMask,
  resizeMask,
  resizeRaster,
  withFailover,
} from '@pakati/backends';
import { deriveSeed, type Point, type ProgressUpdate, progressPartId, selectBackends } from '@pakati/core';
import { GenerationStepSchema, RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import { renderRegionJob } from '@pakati/jobs';
import type { RunParameters } from '@pakati/platform';
import { defineProcessor, type JobContext } from './processor-registry.ts';
import { bestEffort, failRun, markRunStarted, settled } from './run-steps.ts';

/**
 * Generates one region at its bounding-box size (clamped to the chosen backend's limits) with the best capable
 * backend, failing over to the next on error, and stores the image and a history step. Blending is the
 * parent compose job's work.
 */
async function inpaintInputs(
  platform: JobContext['platform'],
  imageKey: string,
  points: Point[],
  box: PixelBox,
  feather: number,
) {
  const bytes = await platform.blobs.get(imageKey);
  if (!bytes) throw new Error(`base image ${imageKey} is missing from the blob store`);
  const coverage = await regionMask(points, box, feather);
  const mask = {
    width: box.width,
    height: box.height,
    data: Float32Array.from(coverage, (v: number) => v / 255),
  };
  return { init: extractBox(await decodeImage(bytes), box), mask };
}

export const renderRegionProcessor = defineProcessor({
  contract: renderRegionJob,

  async process({ runId, regionId, regionIndex }, { platform, job, signal, backends, enhancer }) {
    const { eventLog } = platform;
    const em = platform.orm.em.fork();
    const run = await em.findOne(RunSchema, { id: runId }, { populate: ['project'] });
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return;
    if (!(await markRunStarted(platform, run.id, job.attemptsMade + 1))) return;
    const params = run.parameters as unknown as RunParameters;
    const region = params.regions.find((r) => r.id === regionId);
    if (!region) throw new Error(`region ${regionId} is not part of run ${runId}`);
    // A worker that died after storing this region's step left it behind: the region is done, not to be redone.
    if (await em.count(GenerationStepSchema, { run: runId, regionId, pass: 0 })) return;
    const part = progressPartId.region(regionId);
    const label = `region ${regionIndex + 1}/${params.regions.length}`;
    await eventLog.transition(runId, {
      from: ['RUNNING'],
      type: 'STEP',
      payload: { regionId, status: 'STARTED', attempt: job.attemptsMade + 1 },
    });

    const box = pixelBox(region.points, params.canvas);
    // Same run seed + same region position = same region seed: a repeated run reproduces every region.
    const seed = region.seed ?? deriveSeed(run.seed, 'region', regionIndex);
    const enhancement =
      params.enhancePrompts && enhancer
        ? await enhancer.enhance(region.prompt, { signal, negativePrompt: region.negativePrompt })
        : null;
    const prompt = enhancement?.enhanced ?? region.prompt;
    // With a base run, the region is inpainted into that image (Pakati's apply-to-region); else generated.
    const inpaint = params.base
      ? await inpaintInputs(platform, params.base.imageKey, region.points, box, region.feather)
      : null;
    const operation = inpaint ? 'inpaint' : 'generate';
    const selection = selectBackends(
      {
        operation,
        width: box.width,
        height: box.height,
        explicitBackend: region.model ?? params.backend,
      },
      backends.statuses(),
    );

    const began = performance.now();
    const { backend, result, failures } = await withFailover(
      selection.ranked,
      async (name) => {
        const chosen = backends.get(name);
        const size = generationSize(box, chosen.capabilities);
        const request = {
          prompt,
          negativePrompt: region.negativePrompt,
          width: size.width,
          height: size.height,
          seed,
        };
        const ctx = {
          signal,
          onProgress: (update: ProgressUpdate) => {
            // The last 5% is storing the image and its history.
            bestEffort(
              platform,
              runId,
              platform.progress.report(run, part, update.fraction * 0.95, {
                message: `${label}: ${name}`,
                preview: update.preview ?? null,
              }),
            );
          },
        };
        if (!inpaint) return chosen.generate(request, ctx);
        const init = await resizeRaster(inpaint.init, size.width, size.height);
        return chosen.inpaint(
          { ...request, init, mask: resizeMask(inpaint.mask, size.width, size.height) },
          ctx,
        );
      },
      async (failed, next) => {
        await eventLog.transition(runId, {
          from: ['RUNNING'],
          type: 'STEP',
          payload: {
            regionId,
            status: 'FAILOVER',
            backend: failed.backend,
            next,
            message: `${failed.error.kind}: ${failed.error.message}`,
          },
        });
      },
    );

    signal.throwIfAborted();
    const image = await resizeRaster(result.image, box.width, box.height);
    const blob = await platform.blobs.put(await encodePng(image));
    const durationMs = Math.round(performance.now() - began);
    em.create(GenerationStepSchema, {
      run,
      project: run.project,
      regionId,
      operation,
      backend,
      model: result.model,
      modelVersion: result.modelVersion,
      seed: result.seed,
      prompt: region.prompt,
      enhancedPrompt: enhancement ? enhancement.enhanced : null,
      negativePrompt: region.negativePrompt,
      parameters: {
        ...(enhancement ? { enhancer: enhancement.enhancer, enhancerModel: enhancement.model } : {}),
        box,
        requested: { width: result.image.width, height: result.image.height },
        regionIndex,
      },
      failovers: failures.map((f) => ({ backend: f.backend, kind: f.error.kind, message: f.error.message })),
      durationMs,
      imageKey: blob.key,
      width: image.width,
      height: image.height,
    });
    await em.flush();
    bestEffort(platform, runId, platform.stepDurations.record('render-region', durationMs, backend));
    // Waited for (it also drains this region's earlier reports): the compose job may finish the run next.
    await settled(platform, runId, platform.progress.report(run, part, 1, { message: `${label} done` }));
    await eventLog.transition(runId, {
      from: ['RUNNING'],
      type: 'STEP',
      payload: { regionId, status: 'SUCCEEDED', backend, seed: result.seed, durationMs },
    });
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
