import { isTerminalRunEvent, type PakatiClient, type RunEvent, type RunEventOf } from '@pakati/client';
import { CliError } from './cli-errors.ts';
import type { CliIo } from './cli-io.ts';
import { createProgressDisplay } from './progress-display.ts';

const score = (n: number) => n.toFixed(3);

/** One line per event that tells a story; progress events drive the bar instead. */
export function describeEvent(event: RunEvent, regionName: (id: string) => string): string | null {
  switch (event.__typename) {
    case 'RunQueuedEvent':
      return 'queued';
    case 'RunStartedEvent':
      return `started (attempt ${event.attempt})`;
    case 'RunStepEvent': {
      const where = event.regionId ? regionName(event.regionId) : 'composition';
      const via = event.backend ? ` on ${event.backend}` : '';
      const next = event.next ? ` -> ${event.next}` : '';
      return `step ${where} ${event.status.toLowerCase()}${via}${next}${event.message ? `: ${event.message}` : ''}`;
    }
    case 'RunRetryEvent':
      return `retry ${event.jobName}: attempt ${event.attempt} failed (${event.code}: ${event.retryMessage}), again in ${Math.round(event.delayMs / 100) / 10}s`;
    case 'RunIterationEvent': {
      const verdict = event.accepted
        ? 'accepted'
        : `rejected${event.rejection ? ` (${event.rejection})` : ''}`;
      return `iteration ${event.iteration}: score ${score(event.score)} ${verdict}, best ${score(event.bestScore)} (#${event.bestIteration})`;
    }
    case 'RunCompletedEvent':
      return `completed ${event.width}x${event.height} in ${(event.durationMs / 1000).toFixed(1)}s`;
    case 'RunFailedEvent':
      return `failed: ${event.error.code}: ${event.error.message}`;
    case 'RunCancelledEvent':
      return `cancelled${event.reason ? `: ${event.reason}` : ''}`;
    default:
      return null;
  }
}

function progressStatus(event: RunEventOf<'RunProgressEvent'>): string {
  return `step ${event.step}/${event.totalSteps}${event.message ? ` ${event.message}` : ''}`;
}

/**
 * Follows a run to its end on stderr (a bar on a TTY, lines otherwise) and returns its COMPLETED event;
 * a FAILED or CANCELLED run is a {@link CliError}.
 */
export async function watchRun(
  client: PakatiClient,
  runId: string,
  io: CliIo,
  options: { after?: number; regionNames?: ReadonlyMap<string, string> } = {},
): Promise<RunEventOf<'RunCompletedEvent'>> {
  const display = createProgressDisplay(io.stderr);
  const regionName = (id: string) => options.regionNames?.get(id) ?? `region ${id}`;
  let end: RunEvent | null = null;
  try {
    for await (const event of client.runEvents(runId, { after: options.after ?? 0 })) {
      if (event.__typename === 'RunProgressEvent') {
        display.progress(event.fraction, event.etaSeconds ?? null, progressStatus(event));
        continue;
      }
      if (event.__typename === 'RunCompletedEvent') display.progress(1, 0, 'done');
      // The bar stops before the last line, so that line stays below it.
      if (isTerminalRunEvent(event)) display.stop();
      const line = describeEvent(event, regionName);
      if (line) display.line(line);
      end = event;
    }
  } finally {
    display.stop();
  }
  if (end?.__typename === 'RunCompletedEvent') return end;
  if (end?.__typename === 'RunFailedEvent') throw new CliError(end.error.code, end.error.message);
  if (end?.__typename === 'RunCancelledEvent') {
    throw new CliError('RUN_CANCELLED', end.reason ?? `run ${runId} was cancelled`);
  }
  throw new CliError('RUN_UNFINISHED', `the event stream of run ${runId} ended early`);
}
