import { formatEta, formatQueuePosition, progressPercent } from '../../lib/runs/progress-text';
import type { RunViewState } from '../../lib/runs/run-view-state';

/** The progress bar with what is known about the wait: queue position while queued, ETA while running. */
export function RunProgress({ view }: { view: RunViewState }) {
  const percent = progressPercent(view.fraction);
  let detail: string;
  if (view.status === 'QUEUED') {
    detail = view.queuePosition !== null ? formatQueuePosition(view.queuePosition) : 'Waiting for a worker';
  } else if (view.status === 'RUNNING') {
    detail = formatEta(view.etaSeconds) ?? 'Estimating time left…';
  } else {
    detail = view.status === 'SUCCEEDED' ? 'Done' : view.status === 'FAILED' ? 'Failed' : 'Cancelled';
  }
  return (
    <div className="runs-progress">
      <div className="runs-progress-head">
        <span className={`status status-${view.status.toLowerCase()}`} data-testid="run-status">
          {view.status}
        </span>
        <span data-testid="run-progress-text">
          {percent}%{view.step !== null && view.totalSteps ? ` · ${view.step}/${view.totalSteps} steps` : ''}{' '}
          · {detail}
        </span>
      </div>
      <progress
        className="runs-progress-bar"
        data-testid="run-progress"
        max={100}
        value={percent}
        aria-label="Run progress"
        aria-valuetext={`${percent}%, ${detail}`}
      />
      {view.message ? <p className="muted small">{view.message}</p> : null}
    </div>
  );
}
