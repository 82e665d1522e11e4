'use client';

import { useId, useState } from 'react';
import type { BeforeAfterPair } from '../../lib/runs/before-after';
import { formatScore } from '../../lib/runs/progress-text';

/** The baseline against the best image: a reveal slider over one frame, or both side by side. */
export function BeforeAfter({ pair }: { pair: BeforeAfterPair }) {
  const [reveal, setReveal] = useState(50);
  const [sideBySide, setSideBySide] = useState(false);
  const sliderId = useId();
  const beforeLabel = `Baseline (score ${formatScore(pair.before.score)})`;
  const afterLabel = `Iteration ${pair.after.iteration} (score ${formatScore(pair.after.score)})`;
  return (
    <section className="runs-compare" data-testid="before-after" aria-label="Before and after">
      <div className="runs-compare-head">
        <h3>Before / after</h3>
        <label>
          <input type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide(e.target.checked)} />{' '}
          Side by side
        </label>
      </div>
      {!pair.improved ? <p className="muted">No iteration scored above the baseline.</p> : null}
      {sideBySide ? (
        <div className="runs-compare-pair">
          <figure>
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img src={pair.before.url} alt={beforeLabel} />
            <figcaption>{beforeLabel}</figcaption>
          </figure>
          <figure>
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img src={pair.after.url} alt={afterLabel} />
            <figcaption>{afterLabel}</figcaption>
          </figure>
        </div>
      ) : (
        <>
          <div className="runs-compare-stack">
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img src={pair.before.url} alt={beforeLabel} />
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img
              src={pair.after.url}
              alt={afterLabel}
              className="runs-compare-after"
              style={{ clipPath: `inset(0 ${100 - reveal}% 0 0)` }}
            />
          </div>
          <label htmlFor={sliderId} className="small">
            Left of the line: {afterLabel}; right: {beforeLabel}
          </label>
          <input
            id={sliderId}
            type="range"
            min={0}
            max={100}
            value={reveal}
            onChange={(e) => setReveal(Number(e.target.value))}
          />
        </>
      )}
    </section>
  );
}
