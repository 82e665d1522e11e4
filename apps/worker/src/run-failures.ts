import { isBackendError, isPakatiError } from '@pakati/core';
import { RunFailureSchema } from '@pakati/db';
import type { Platform } from '@pakati/platform';
import { Backoffs, type Job } from 'bullmq';

/** The stable code and message a failure is stored and reported with. */
export function describeFailure(error: unknown): { code: string; message: string } {
  const code = isPakatiError(error)
    ? error.code
    : isBackendError(error)
      ? `BACKEND_${error.kind}`
      : 'GENERATION_FAILED';
  return { code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Worth another attempt: not a typed PakatiError (bad input, no capable backend... the same again next time),
 * nor a backend error of a kind that retrying cannot change (auth, invalid request, content filtered...).
 */
export function isRetryable(error: unknown): boolean {
  if (isPakatiError(error)) return false;
  return !isBackendError(error) || error.retryable;
}

/**
 * Keeps the run's error history: a RunFailure row for every failed attempt of any of its jobs and, when BullMQ
 * will try again, a RETRY event saying when. Best effort: a history write that fails must not change what
 * happens to the job.
 */
export async function recordFailure(
  platform: Platform,
  job: Job,
  payload: unknown,
  error: unknown,
  outcome: { attempt: number; final: boolean; worker: string },
): Promise<void> {
  const runId = (payload as { runId?: unknown }).runId;
  if (typeof runId !== 'string') return;
  const { code, message } = describeFailure(error);
  try {
    const em = platform.orm.em.fork();
    em.create(RunFailureSchema, {
      run: runId,
      jobId: job.id ?? '',
      jobName: job.name,
      attempt: outcome.attempt,
      code,
      message,
      willRetry: !outcome.final,
      worker: outcome.worker,
    });
    await em.flush();
    if (outcome.final) return;
    const backoff = Backoffs.normalize(job.opts.backoff ?? 0);
    const delay = backoff ? await Backoffs.calculate(backoff, outcome.attempt, error as Error, job) : 0;
    await platform.eventLog.transition(runId, {
      from: ['QUEUED', 'RUNNING'],
      type: 'RETRY',
      payload: { jobName: job.name, attempt: outcome.attempt, code, message, delayMs: delay ?? 0 },
    });
  } catch (err) {
    platform.logger.warn({ err, runId, jobId: job.id }, 'run failure not recorded');
  }
}
