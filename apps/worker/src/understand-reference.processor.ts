import { decodeImage, fitWithin, withFailover } from '@pakati/backends';
import { assessUnderstanding, progressPartId, selectBackends, type UnderstandingReport } from '@pakati/core';
import { ReferenceUnderstandingSchema, RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import { understandReferenceJob } from '@pakati/jobs';
import type { RunParameters } from '@pakati/platform';
import { defineProcessor } from './processor-registry.ts';
import { bestEffort, failRun, markRunStarted } from './run-steps.ts';

/** Thirty reconstructions per reference: at this size they take seconds, and the level is about content, not pixels. */
const MAX_SIDE = 128;

/**
 * Pakati's "prove you understood the reference": hide parts of it under every masking strategy at rising
 * difficulty, reconstruct them with an inpainting backend (PatchMatch unless the run names another), score the
 * reconstructions, and keep a level per strategy.
 */
export const understandReferenceProcessor = defineProcessor({
  contract: understandReferenceJob,

  async process({ runId }, { platform, job, signal, backends }) {
    const em = platform.orm.em.fork();
    const run = await em.findOne(RunSchema, { id: runId });
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return;
    if (!(await markRunStarted(platform, run.id, job.attemptsMade + 1))) return;
    const params = run.parameters as unknown as RunParameters;
    if (!params.understand) throw new Error(`run ${runId} has no reference to understand`);
    const bytes = await platform.blobs.get(params.understand.imageKey);
    if (!bytes)
      throw new Error(`reference image ${params.understand.imageKey} is missing from the blob store`);
    const full = await decodeImage(bytes);
    const reference = await fitWithin(full, MAX_SIDE);

    const selection = selectBackends(
      {
        operation: 'inpaint',
        width: reference.width,
        height: reference.height,
        // Reconstruction from the surroundings is the point here, so the classical fill leads unless told otherwise.
        explicitBackend: params.backend ?? 'patchmatch',
      },
      backends.statuses(),
    );
    const outcome = await withFailover(selection.ranked, async (name) => {
      let attemptBegan = performance.now();
      const report = await assessUnderstanding(reference, backends.get(name), {
        seed: run.seed,
        signal,
        ...(params.understand!.strategies ? { strategies: params.understand!.strategies } : {}),
        onProgress: (p) => {
          const now = performance.now();
          bestEffort(
            platform,
            runId,
            platform.stepDurations.record('understand-attempt', now - attemptBegan, name),
          );
          attemptBegan = now;
          bestEffort(
            platform,
            runId,
            platform.progress.report(run, progressPartId.attempt(p.done - 1), 1, {
              message: `${p.strategy} at difficulty ${p.difficulty}: ${p.score.toFixed(3)}`,
            }),
          );
        },
      });
      // withFailover speaks GenerationResult; the report rides along in its place.
      return {
        report,
        image: reference,
        seed: run.seed,
        model: name,
        modelVersion: '1',
        timings: { totalMs: 0 },
      };
    });
    const report: UnderstandingReport = outcome.result.report;
    for (const s of report.strategies) {
      em.create(ReferenceUnderstandingSchema, {
        reference: params.understand.referenceId,
        run: runId,
        strategy: s.strategy,
        level: s.level,
        mastery: s.mastery,
        backend: outcome.backend,
        attempts: s.attempts.map((a) => ({
          difficulty: a.difficulty,
          score: a.score,
          ssim: a.ssim,
          colorDeltaE: a.colorDeltaE,
          hiddenFraction: a.hiddenFraction,
          ms: a.ms,
        })),
      });
    }
    await em.flush();
    await platform.progress.clear(runId);
    await platform.eventLog.transition(runId, {
      from: ['RUNNING'],
      to: 'SUCCEEDED',
      type: 'COMPLETED',
      // The run's image is the reference it assessed: an UNDERSTAND run makes no picture of its own.
      payload: {
        imageKey: params.understand.imageKey,
        width: full.width,
        height: full.height,
        level: report.level,
        understood: report.understood,
      },
      patch: {
        progress: 1,
        resultImageKey: params.understand.imageKey,
        resultWidth: full.width,
        resultHeight: full.height,
      },
    });
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
