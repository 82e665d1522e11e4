import { formatScore } from '../../lib/runs/progress-text';
import type { IterationDetail } from '../../lib/runs/runs-api';

/**
 * Why one iteration changed what it did: each recommendation (a defuzzified output for a region)
 * with the fuzzy rules that fired and the degree each fired at, then the actions taken.
 */
export function IterationDetails({
  iteration,
  detail,
  regionLabels,
}: {
  iteration: number;
  detail: IterationDetail | undefined;
  regionLabels: Readonly<Record<string, string>>;
}) {
  const label = (regionId: string) => regionLabels[regionId] ?? regionId;
  if (!detail) return <p className="muted">Loading the details of iteration {iteration}…</p>;
  return (
    <section className="runs-iteration" data-testid="iteration-details" aria-label={`Iteration ${iteration}`}>
      <h3>
        {iteration === 0 ? 'Baseline' : `Iteration ${iteration}`} · {detail.status.toLowerCase()} · score{' '}
        {formatScore(detail.score ?? null)}
      </h3>
      {detail.rejection ? <p className="muted">Rejected: {detail.rejection}</p> : null}
      {detail.regions.length > 0 ? (
        <ul className="runs-region-scores">
          {detail.regions.map((r) => (
            <li key={r.regionId}>
              <strong>{label(r.regionId)}</strong>: {formatScore(r.scoreBefore ?? null)} →{' '}
              {formatScore(r.score)}
            </li>
          ))}
        </ul>
      ) : null}
      <h4>Recommendations</h4>
      {detail.recommendations.length === 0 ? (
        <p className="muted">None: nothing was planned from this image.</p>
      ) : (
        <ul className="runs-recommendations" data-testid="recommendations">
          {detail.recommendations.map((rec) => (
            <li key={`${rec.regionId}:${rec.output}`}>
              <div>
                <strong>{label(rec.regionId)}</strong> · <code>{rec.output}</code> = {rec.value.toFixed(2)}
              </div>
              <ul className="runs-fired-rules" aria-label="Rules that fired">
                {[...rec.firedRules]
                  .sort((a, b) => b.degree - a.degree)
                  .map((rule) => (
                    <li key={rule.line}>
                      <meter
                        min={0}
                        max={1}
                        value={rule.degree}
                        aria-label={`degree ${rule.degree.toFixed(2)}`}
                      />{' '}
                      <span className="runs-degree">{rule.degree.toFixed(2)}</span> <code>{rule.text}</code>{' '}
                      <span className="muted small">line {rule.line}</span>
                    </li>
                  ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {detail.actions.length > 0 ? (
        <>
          <h4>Actions</h4>
          <ul className="runs-actions">
            {detail.actions.map((action, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: actions have no id and never reorder.
              <li key={i}>
                <strong>{action.kind}</strong> on {label(action.regionId)}
                {action.applied === false ? ' (not applied)' : ''}
                {action.note ? <span className="muted"> · {action.note}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
