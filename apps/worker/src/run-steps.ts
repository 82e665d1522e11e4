import { RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import type { Platform } from '@pakati/platform';
import { describeFailure } from './run-failures.ts';

/** The first job of a run to start moves it to RUNNING; later ones (other regions, retries) find it there. */
export async function markRunStarted(platform: Platform, runId: string, attempt: number): Promise<boolean> {
  const started = await platform.eventLog.transition(runId, {
    from: ['QUEUED'],
    to: 'RUNNING',
    type: 'STARTED',
    payload: { attempt },
    patch: { startedAt: new Date(), attempts: attempt },
  });
  if (started) return true;
  // Not the first job: the run may meanwhile have ended (a cancel, another region's final failure).
  const run = await platform.orm.em.fork().findOne(RunSchema, { id: runId }, { fields: ['status'] });
  return run !== null && !TERMINAL_RUN_STATUSES.includes(run.status);
}

export async function failRun(platform: Platform, runId: string, error: unknown): Promise<void> {
  const { code, message } = describeFailure(error);
  await platform.eventLog.transition(runId, {
    from: ['QUEUED', 'RUNNING'],
    to: 'FAILED',
    type: 'FAILED',
    payload: { code, message },
    patch: { error: { code, message } },
  });
}

/** Progress is best effort: a lost progress event is superseded by the next one; a crashed worker is not. */
export function bestEffort(platform: Platform, runId: string, work: Promise<unknown>): void {
  void settled(platform, runId, work);
}

/**
 * Like `bestEffort`, but waited for: at the end of a step, so its progress is in the log before the step's next
 * status change (which may end the run and refuse any later progress).
 */
export async function settled(platform: Platform, runId: string, work: Promise<unknown>): Promise<void> {
  await work.catch((err: unknown) => platform.logger.warn({ err, runId }, 'progress event not written'));
}
