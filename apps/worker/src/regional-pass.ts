import { generationSize, resizeRaster, withFailover } from '@pakati/backends';
import {
  autoNegativeConditioning,
  BackendError,
  type GenerationResult,
  progressPartId,
  selectBackends,
} from '@pakati/core';
import type { Run } from '@pakati/db';
import type { RunParameters } from '@pakati/platform';
import type { JobContext } from './processor-registry.ts';
import { bestEffort } from './run-steps.ts';

/**
 * The whole canvas in one pass on a backend with regional prompting: every region's prompt conditioned to its
 * mask and, against bleed, negative outside it (auto-negative). Used instead of per-region jobs when a run asks.
 */
export async function regionalPass(run: Run, params: RunParameters, ctx: JobContext) {
  const { platform, backends, signal } = ctx;
  const { width, height } = params.canvas;
  const conditioning = autoNegativeConditioning(
    params.regions.map((r) => ({
      id: r.id,
      points: r.points,
      prompt: r.prompt,
      negativePrompt: r.negativePrompt,
      zOrder: r.zOrder,
      featherPx: r.feather,
    })),
    params.canvas,
  );
  const selection = selectBackends(
    { operation: 'generate', width, height, needsRegionalPrompting: true, explicitBackend: params.backend },
    backends.statuses(),
  );
  const began = performance.now();
  const outcome = await withFailover(
    selection.ranked,
    async (name): Promise<GenerationResult> => {
      const backend = backends.get(name);
      if (!backend.generateRegional) throw new BackendError('UNSUPPORTED', name, 'no regional conditioning');
      const size = generationSize({ x: 0, y: 0, width, height }, backend.capabilities);
      return backend.generateRegional(
        { prompt: '', width: size.width, height: size.height, seed: run.seed, regions: conditioning },
        {
          signal,
          onProgress: (update) => {
            bestEffort(
              platform,
              run.id,
              platform.progress.report(run, progressPartId.regionalPass(), update.fraction, {
                message: `regional pass: ${name}, step ${update.step}/${update.totalSteps}`,
                preview: update.preview ?? null,
              }),
            );
          },
        },
      );
    },
    async (failed, next) => {
      await platform.eventLog.transition(run.id, {
        from: ['RUNNING'],
        type: 'STEP',
        payload: {
          status: 'FAILOVER',
          backend: failed.backend,
          next,
          message: `${failed.error.kind}: ${failed.error.message}`,
        },
      });
    },
  );
  const ms = performance.now() - began;
  bestEffort(platform, run.id, platform.stepDurations.record('regional-pass', ms, outcome.backend));
  return { ...outcome, image: await resizeRaster(outcome.result.image, width, height), conditioning };
}
