import { hostname } from 'node:os';
import { createPromptEnhancer } from '@pakati/backends';
import { isPakatiError } from '@pakati/core';
import { JOB_CONTRACTS, QUEUE_NAMES } from '@pakati/jobs';
import type { Platform } from '@pakati/platform';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { type AnalysisServices, createAnalysisServices } from './analysis-services.ts';
import { analyzeCandidateProcessor } from './analyze-candidate.processor.ts';
import { BackendRegistry } from './backend-registry.ts';
import { composeRunProcessor } from './compose-run.processor.ts';
import { buildRegistry, type Processor } from './processor-registry.ts';
import { startQueuedRunSweep } from './queued-run-sweep.ts';
import { refineIterationProcessor } from './refine-iteration.processor.ts';
import { refineRegionProcessor } from './refine-region.processor.ts';
import { renderRegionProcessor } from './render-region.processor.ts';
import { understandReferenceProcessor } from './understand-reference.processor.ts';

export const PROCESSORS: readonly Processor[] = [
  renderRegionProcessor,
  composeRunProcessor,
  understandReferenceProcessor,
  refineRegionProcessor,
  analyzeCandidateProcessor,
  refineIterationProcessor,
] as unknown as Processor[];

class ShutdownAbort extends Error {}

/** Runs every queue's BullMQ worker, routes jobs to their processor, and honours cancels and SIGTERM. */
export async function startWorkers(
  platform: Platform,
  options: {
    processors?: readonly Processor[];
    backends?: BackendRegistry;
    analysis?: AnalysisServices;
  } = {},
) {
  const processors = options.processors ?? PROCESSORS;
  const backends = options.backends ?? new BackendRegistry(platform.config.backends);
  const enhancer = createPromptEnhancer(process.env, platform.redis);
  const registry = buildRegistry(JOB_CONTRACTS, processors);
  const analysis = options.analysis ?? (await createAnalysisServices(platform));
  const { config, logger } = platform;
  const active = new Map<string, AbortController>();

  const stopCancelListener = await platform.pubsub.subscribe('run-cancel', 'all', ({ runId }) => {
    // Job ids derive from the run id: the compose job is the run id, region jobs are `<run id>.<region id>`.
    for (const [jobId, controller] of active) {
      if (jobId === runId || jobId.startsWith(`${runId}.`)) controller.abort(new Error('cancelled'));
    }
  });

  const handle = async (job: Job, token?: string) => {
    const processor = registry.get(`${job.queueName}/${job.name}`);
    if (!processor) throw new UnrecoverableError(`no processor for ${job.queueName}/${job.name}`);
    const payload = processor.contract.schema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
    const controller = new AbortController();
    const key = job.id ?? '';
    active.set(key, controller);
    try {
      return await processor.process(payload.data, {
        platform,
        backends,
        enhancer,
        analysis,
        job,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof ShutdownAbort && token) {
        // Released, not failed: back to the queue without using up an attempt.
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      if (controller.signal.aborted) return undefined; // cancelled: the API has written CANCELLED already
      const final = isPakatiError(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.warn({ err: error, jobId: job.id, attempt: job.attemptsMade + 1, final }, 'job failed');
      if (final) {
        await processor.onFinalFailure(payload.data, error, { platform, job });
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    } finally {
      active.delete(key);
    }
  };

  const workers = QUEUE_NAMES.map(
    (name) =>
      new Worker(name, handle, {
        connection: platform.redis,
        prefix: config.queuePrefix,
        concurrency: config.worker.concurrency,
      }),
  );
  for (const worker of workers) worker.on('error', (err) => logger.error({ err }, 'worker error'));
  const stopSweep = startQueuedRunSweep(platform);
  const workerId = `${hostname()}:${process.pid}`;
  const reportStatus = () =>
    Promise.all([
      platform.backendStatus.report(workerId, backends.statuses()),
      platform.backendStatus.reportWorker(workerId, {
        analysisKernel: analysis.kernel.name,
        analysisKernelReason: analysis.kernel.reason,
        semanticAnalyzers: analysis.semantic.map((a) => a.name),
        visionJudge: analysis.judge?.name ?? null,
      }),
    ]).catch((err: unknown) => logger.warn({ err }, 'worker status report failed'));
  await reportStatus();
  const statusTimer = setInterval(reportStatus, 5000);
  statusTimer.unref();
  logger.info(
    {
      queues: QUEUE_NAMES,
      jobs: [...registry.keys()],
      analysisKernel: analysis.kernel.name,
      kernelReason: analysis.kernel.reason,
      semantic: analysis.semantic.map((a) => a.name),
      judge: analysis.judge?.name ?? null,
    },
    'worker ready',
  );

  return {
    /** Stop taking jobs; let active ones finish within the grace period, then release them to the queue. */
    async close() {
      stopSweep();
      clearInterval(statusTimer);
      const closing = Promise.all(workers.map((w) => w.close()));
      const grace = setTimeout(() => {
        for (const controller of active.values()) controller.abort(new ShutdownAbort('worker shutting down'));
      }, config.worker.shutdownGraceMs);
      await closing;
      clearTimeout(grace);
      await stopCancelListener();
    },
  };
}
