import { isPakatiError, renderProcedural } from '@pakati/core';
import { RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import { renderRunJob } from '@pakati/jobs';
import type { RunParameters } from '@pakati/platform';
import sharp from 'sharp';
import { defineProcessor } from './processor-registry.ts';

/** Yields to the event loop so a cancel message can land between steps. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export const renderRunProcessor = defineProcessor({
  contract: renderRunJob,

  async process({ runId }, { platform, job, signal }) {
    const { eventLog } = platform;
    const run = await platform.orm.em.fork().findOne(RunSchema, { id: runId });
    if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return; // cancelled while queued, or already done
    const attempt = job.attemptsMade + 1;
    const started = await eventLog.transition(runId, {
      from: ['QUEUED', 'RUNNING'],
      to: 'RUNNING',
      type: 'STARTED',
      payload: { attempt },
      patch: { startedAt: new Date(), attempts: attempt, progress: 0 },
    });
    if (!started) return;

    const params = run.parameters as unknown as RunParameters;
    const began = performance.now();
    const render = renderProcedural({
      width: params.canvas.width,
      height: params.canvas.height,
      seed: run.seed,
      regions: params.regions.map((r) => ({ ...r, featherPx: r.feather })),
    });
    // Encoding and storing the PNG is one more step after the renderer's own.
    let result = render.next();
    while (!result.done) {
      await tick();
      signal.throwIfAborted();
      const { step, totalSteps, label } = result.value;
      const fraction = step / (totalSteps + 1);
      const ok = await eventLog.transition(runId, {
        from: ['RUNNING'],
        type: 'PROGRESS',
        payload: { fraction, step, totalSteps: totalSteps + 1, message: label },
        patch: { progress: fraction },
      });
      if (!ok) return; // cancelled meanwhile: the API already wrote the terminal event
      result = render.next();
    }
    const image = result.value;
    signal.throwIfAborted();
    const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
      raw: { width: image.width, height: image.height, channels: 4 },
    })
      .png({ compressionLevel: 9, adaptiveFiltering: false })
      .toBuffer();
    const blob = await platform.blobs.put(png);
    await eventLog.transition(runId, {
      from: ['RUNNING'],
      to: 'SUCCEEDED',
      type: 'COMPLETED',
      payload: {
        imageKey: blob.key,
        width: image.width,
        height: image.height,
        durationMs: performance.now() - began,
      },
      patch: { progress: 1, resultImageKey: blob.key, resultWidth: image.width, resultHeight: image.height },
    });
  },

  async onFinalFailure({ runId }, error, { platform }) {
    const code = isPakatiError(error) ? error.code : 'GENERATION_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    await platform.eventLog.transition(runId, {
      from: ['QUEUED', 'RUNNING'],
      to: 'FAILED',
      type: 'FAILED',
      payload: { code, message },
      patch: { error: { code, message } },
    });
  },
});
