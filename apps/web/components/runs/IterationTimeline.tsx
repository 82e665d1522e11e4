import { formatScore } from '../../lib/runs/progress-text';
import type { IterationSummary } from '../../lib/runs/run-view-state';

/** One thumbnail per decided iteration; pick one to see why it was planned and how it scored. */
export function IterationTimeline({
  iterations,
  bestIteration,
  selected,
  onSelect,
}: {
  iterations: readonly IterationSummary[];
  bestIteration: number | null;
  selected: number | null;
  onSelect(iteration: number): void;
}) {
  if (iterations.length === 0) return <p className="muted">No iteration decided yet.</p>;
  return (
    <ol className="runs-timeline" data-testid="iteration-timeline" aria-label="Iterations">
      {iterations.map((it) => (
        <li key={it.iteration} data-iteration={it.iteration} data-accepted={it.accepted}>
          <button
            type="button"
            className={`runs-timeline-item${it.iteration === selected ? ' selected' : ''}${it.accepted ? '' : ' rejected'}`}
            aria-pressed={it.iteration === selected}
            onClick={() => onSelect(it.iteration)}
          >
            {it.thumbnailUrl ? (
              // biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API; next/image would cache them.
              <img src={it.thumbnailUrl} alt={`Iteration ${it.iteration}`} loading="lazy" />
            ) : (
              <span className="runs-thumb-missing">no image</span>
            )}
            <span className="runs-timeline-label">
              {it.iteration === 0 ? 'Baseline' : `#${it.iteration}`} · {formatScore(it.score)}
              {it.iteration === bestIteration ? ' ★' : ''}
            </span>
            <span className={`runs-badge ${it.accepted ? 'accepted' : 'rejected'}`}>
              {it.accepted ? 'accepted' : 'rejected'}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}
