import { formatEta, progressPercent } from '../../lib/runs/progress-text';
import type { RunEvent } from '../../lib/runs/run-event';

function describe(event: RunEvent): string {
  switch (event.type) {
    case 'STARTED':
      return event.attempt > 1 ? `attempt ${event.attempt}` : '';
    case 'PROGRESS':
      return [`${progressPercent(event.fraction)}%`, formatEta(event.etaSeconds), event.message]
        .filter(Boolean)
        .join(' · ');
    case 'STEP':
      return [event.status, event.backend, event.next ? `→ ${event.next}` : null, event.message]
        .filter(Boolean)
        .join(' · ');
    case 'RETRY':
      return `${event.jobName} attempt ${event.attempt} failed (${event.code}): ${event.message}; retrying in ${Math.round(event.delayMs / 1000)} s`;
    case 'ITERATION':
      return `iteration ${event.iteration} ${event.accepted ? 'accepted' : 'rejected'} · score ${event.score.toFixed(3)} · best ${event.bestScore.toFixed(3)}`;
    case 'COMPLETED':
      return 'image ready';
    case 'FAILED':
      return `${event.error.code}: ${event.error.message}`;
    case 'CANCELLED':
      return event.reason ?? '';
    case 'QUEUED':
      return '';
  }
}

/** The run's event log, each seq once and in order. */
export function RunEventList({ events }: { events: readonly RunEvent[] }) {
  return (
    <details className="runs-log">
      <summary>Events ({events.length})</summary>
      <ol data-testid="run-event-log">
        {events.map((event) => (
          <li key={event.seq} data-seq={event.seq} data-type={event.type}>
            <span className="muted">#{event.seq}</span> <strong>{event.type}</strong>{' '}
            <span className="small">{describe(event)}</span>
          </li>
        ))}
      </ol>
    </details>
  );
}
