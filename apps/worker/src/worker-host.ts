import { createPromptEnhancer } from '@pakati/backends';
import { contractQueue, JOB_CONTRACTS } from '@pakati/jobs';
import { type Platform, withLogContext } from '@pakati/platform';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { advanceWorkflowProcessor } from './advance-workflow.processor.ts';
import { type AnalysisServices, createAnalysisServices } from './analysis-services.ts';
import { analyzeCandidateProcessor } from './analyze-candidate.processor.ts';
import { BackendRegistry } from './backend-registry.ts';
import { composeRunProcessor } from './compose-run.processor.ts';
import { deliverWebhookProcessor } from './deliver-webhook.processor.ts';
import { isWorkerOutOfMemory, OUT_OF_MEMORY_EXIT_CODE, watchForOutOfMemory } from './out-of-memory.ts';
import { buildRegistry, type Processor } from './processor-registry.ts';
import { startQueuedRunSweep } from './queued-run-sweep.ts';
import { refineIterationProcessor } from './refine-iteration.processor.ts';
import { refineRegionProcessor } from './refine-region.processor.ts';
import { renderRegionProcessor } from './render-region.processor.ts';
import { isRetryable, recordFailure } from './run-failures.ts';
import { understandReferenceProcessor } from './understand-reference.processor.ts';
import { startWebhookSweep } from './webhook-sweep.ts';
import { planWorker } from './worker-capabilities.ts';
import { WorkerHeartbeat } from './worker-heartbeat.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import { workflowAnalysisStepProcessor, workflowGenerationStepProcessor } from './workflow-step.processor.ts';

export const PROCESSORS: readonly Processor[] = [
  renderRegionProcessor,
  composeRunProcessor,
  understandReferenceProcessor,
  refineRegionProcessor,
  analyzeCandidateProcessor,
  refineIterationProcessor,
  workflowGenerationStepProcessor,
  workflowAnalysisStepProcessor,
  advanceWorkflowProcessor,
  deliverWebhookProcessor,
] as unknown as Processor[];

class ShutdownAbort extends Error {}

/** Failures BullMQ decides on its own, before any processor runs (see Worker.getUnrecoverableErrorMessage). */
const BULLMQ_FAILURES = new Set([
  'job stalled more than allowable limit',
  'job started more than allowable limit',
]);

/** Runs every queue's BullMQ worker, routes jobs to their processor, and honours cancels and SIGTERM. */
export async function startWorkers(
  platform: Platform,
  options: {
    processors?: readonly Processor[];
    backends?: BackendRegistry;
    analysis?: AnalysisServices;
    /** Where PAKATI_WORKER_QUEUES/ROLES and the PATH that finds nvidia-smi come from. */
    env?: NodeJS.ProcessEnv;
    /** How the worker ends itself after running out of memory; a test records the code instead. */
    exit?: (code: number) => void;
  } = {},
) {
  const processors = options.processors ?? PROCESSORS;
  const backends = options.backends ?? new BackendRegistry(platform.config.backends);
  const enhancer = createPromptEnhancer(process.env, platform.redis);
  const registry = buildRegistry(JOB_CONTRACTS, processors);
  const analysis = options.analysis ?? (await createAnalysisServices(platform));
  const { config, logger } = platform;
  const active = new Map<string, AbortController>();
  const plan = await planWorker(
    backends.statuses().map((s) => s.name),
    config.worker,
    options.env ?? process.env,
  );
  const heartbeat = new WorkerHeartbeat(platform, backends, analysis, plan);
  const metrics = createWorkerMetrics(platform, () => backends.statuses());
  const stopCallMetrics = backends.onCall(metrics.backendCall);
  const exit = options.exit ?? ((code: number) => process.exit(code));

  const stopCancelListener = await platform.pubsub.subscribe('run-cancel', 'all', ({ runId }) => {
    // Job ids derive from the run id: the compose job is the run id, region jobs are `<run id>.<region id>`.
    for (const [jobId, controller] of active) {
      if (jobId === runId || jobId.startsWith(`${runId}.`)) controller.abort(new Error('cancelled'));
    }
  });

  const handle = async (job: Job, token?: string) => {
    const processor = registry.get(`${contractQueue(job.queueName)}/${job.name}`);
    if (!processor) throw new UnrecoverableError(`no processor for ${job.queueName}/${job.name}`);
    const payload = processor.contract.schema.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
    const controller = new AbortController();
    const key = job.id ?? '';
    active.set(key, controller);
    heartbeat.hold(job);
    const onOutOfMemory = (error: unknown) => {
      if (!controller.signal.aborted) controller.abort(new ShutdownAbort('worker out of memory'));
      outOfMemory(error);
    };
    try {
      return await processor.process(payload.data, {
        platform,
        backends: watchForOutOfMemory(backends, onOutOfMemory),
        enhancer,
        analysis,
        job,
        signal: controller.signal,
      });
    } catch (error) {
      if (isWorkerOutOfMemory(error)) onOutOfMemory(error);
      if (controller.signal.aborted && controller.signal.reason instanceof ShutdownAbort && token) {
        // Released, not failed: back to the queue without using up an attempt.
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      if (controller.signal.aborted) return undefined; // cancelled: the API has written CANCELLED already
      const attempt = job.attemptsMade + 1;
      const final = !isRetryable(error) || attempt >= (job.opts.attempts ?? 1);
      logger.warn({ err: error, jobId: job.id, attempt, final }, 'job failed');
      await recordFailure(platform, job, payload.data, error, { attempt, final, worker: heartbeat.id });
      if (final) {
        await processor.onFinalFailure(payload.data, error, { platform, job });
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    } finally {
      active.delete(key);
      heartbeat.drop(job);
    }
  };

  // Every line logged while a job runs names it; its duration is recorded however it ends.
  const observed = (job: Job, token?: string) => {
    const runId = (job.data as { runId?: unknown })?.runId;
    const fields = { jobId: job.id, queue: job.queueName, ...(typeof runId === 'string' ? { runId } : {}) };
    return withLogContext(fields, async () => {
      const stop = metrics.jobStarted(job.queueName, job.name);
      try {
        return await handle(job, token);
      } finally {
        stop();
      }
    });
  };

  const workers = plan.queues.map(
    ({ name, concurrency }) =>
      new Worker(name, observed, {
        // bullmq-otel when tracing is on: the job's span continues the trace of whoever enqueued it.
        telemetry: platform.queues.telemetry,
        connection: platform.redis,
        prefix: config.queuePrefix,
        concurrency,
        // Stored on each job it takes (processedBy), so a job can be traced to its worker.
        name: heartbeat.id,
        // A job whose worker died (kill -9) goes back to the queue once its lock expires; its steps are idempotent.
        lockDuration: config.worker.lockMs,
        stalledInterval: config.worker.lockMs,
        maxStalledCount: config.worker.maxStalledCount,
      }),
  );
  for (const worker of workers) {
    worker.on('error', (err) => logger.error({ err }, 'worker error'));
    worker.on('completed', (job) => metrics.jobFinished(job.queueName, job.name, 'completed'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final =
        err.name === 'UnrecoverableError' ||
        BULLMQ_FAILURES.has(err.message) ||
        job.attemptsMade >= (job.opts.attempts ?? 1);
      metrics.jobFinished(job.queueName, job.name, final ? 'failed' : 'retried');
    });
    // BullMQ fails a job that stalled too often (or started too often) without ever calling `handle`: the run
    // must still end FAILED, not stay RUNNING.
    worker.on('failed', (job, err) => {
      if (!job || !BULLMQ_FAILURES.has(err.message)) return;
      const processor = registry.get(`${contractQueue(job.queueName)}/${job.name}`);
      const payload = processor?.contract.schema.safeParse(job.data);
      if (!processor || !payload?.success) return;
      const error = new Error(`${err.message} (a worker holding it died ${job.attemptsStarted} times)`);
      processor
        .onFinalFailure(payload.data, error, { platform, job })
        .catch((e: unknown) =>
          logger.error({ err: e, jobId: job.id }, 'could not fail the run of a stalled job'),
        );
    });
  }
  const stopSweep = startQueuedRunSweep(platform);
  const stopWebhookSweep = startWebhookSweep(platform);
  for (const { queue, needs } of plan.refused) {
    logger.warn({ queue, needs }, 'not consuming a queue this worker was given: it lacks the capability');
  }
  await heartbeat.start();
  logger.info(
    {
      workerId: heartbeat.id,
      device: plan.device,
      tfjsBackend: plan.tfjsBackend,
      queues: plan.queues,
      jobs: [...registry.keys()],
      analysisKernel: analysis.kernel.name,
      kernelReason: analysis.kernel.reason,
      semantic: analysis.semantic.map((a) => a.name),
      judge: analysis.judge?.name ?? null,
    },
    'worker ready',
  );

  let draining: Promise<void> | undefined;
  /** Stop taking jobs; let active ones finish within the grace period, then release them to the queue. */
  function drain(): Promise<void> {
    draining ??= (async () => {
      stopSweep();
      stopWebhookSweep();
      const closing = Promise.all(workers.map((w) => w.close()));
      const grace = setTimeout(() => {
        for (const controller of active.values()) controller.abort(new ShutdownAbort('worker shutting down'));
      }, config.worker.shutdownGraceMs);
      await closing;
      clearTimeout(grace);
      stopCallMetrics();
      await stopCancelListener();
    })();
    return draining;
  }

  /**
   * After an out-of-memory this process is not to be trusted with more work: it says so in the fleet, takes no
   * more jobs, lets the others finish or releases them, and exits for its supervisor to start a fresh one. Its
   * record stays, marked, until it expires, so operators see why it went.
   */
  function outOfMemory(error: unknown): void {
    if (heartbeat.state === 'out-of-memory') return;
    heartbeat.state = 'out-of-memory';
    logger.fatal({ err: error }, 'worker out of memory: releasing its jobs and exiting for a restart');
    void (async () => {
      await heartbeat.beat();
      await drain();
      await heartbeat.stop();
      exit(OUT_OF_MEMORY_EXIT_CODE);
    })();
  }

  return {
    workerId: heartbeat.id,
    metrics,
    /** Why this worker should get no traffic now, or null when it is ready (the /health/ready probe). */
    async unready(): Promise<string | null> {
      if (heartbeat.state !== 'ready') return heartbeat.state;
      return platform.redis.ping().then(
        () => null,
        (e: Error) => `redis: ${e.message}`,
      );
    },
    async close() {
      if (heartbeat.state === 'out-of-memory') return drain();
      heartbeat.state = 'draining';
      void heartbeat.beat();
      await drain();
      await heartbeat.leave();
    },
  };
}
