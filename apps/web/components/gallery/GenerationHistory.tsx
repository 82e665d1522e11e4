'use client';

import Link from 'next/link';
import { useCallback, useEffect, useId, useState } from 'react';
import { runPath } from '../../lib/paths';
import { type GenerationStep, graphqlRunsApi, type RegionLabel, type RunsApi } from '../../lib/runs/runs-api';
import { usePagedList } from '../../lib/use-paged-list';
import { ErrorMessage, toDisplayError } from '../ErrorMessage';

export const HISTORY_PAGE_SIZE = 20;

/** Every generation step of the project, or of one region, newest first: enough to reproduce each. */
export function GenerationHistory({ projectId, api = graphqlRunsApi }: { projectId: string; api?: RunsApi }) {
  const [regions, setRegions] = useState<RegionLabel[]>([]);
  const [regionId, setRegionId] = useState<string | null>(null);
  const selectId = useId();

  const fetchPage = useCallback(
    async (after: string | null) => {
      const page = await api.generationHistory(projectId, regionId, HISTORY_PAGE_SIZE, after);
      return page && { items: page.steps, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
    },
    [api, projectId, regionId],
  );
  const { items: steps, hasMore, loading, error, setError, more } = usePagedList<GenerationStep>(fetchPage);

  useEffect(() => {
    api.projectRegions(projectId).then(setRegions, (e: unknown) => setError(toDisplayError(e)));
  }, [api, projectId, setError]);

  return (
    <section className="history" aria-label="Generation history">
      <div className="card-head">
        <h2>Generation history</h2>
        <label htmlFor={selectId} className="field inline">
          <span>Region</span>
          <select id={selectId} value={regionId ?? ''} onChange={(e) => setRegionId(e.target.value || null)}>
            <option value="">All regions and compositions</option>
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.prompt.length > 40 ? `${r.prompt.slice(0, 39)}…` : r.prompt}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={error} testId="history-error" />
      {steps && steps.length === 0 ? <p className="muted">Nothing generated yet.</p> : null}
      <ol className="history-list" data-testid="generation-history">
        {(steps ?? []).map((step) => (
          <li key={step.id} className="history-item">
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img
              className="history-thumb"
              src={step.imageUrl}
              alt={`${step.operation} for run ${step.runId}`}
              loading="lazy"
            />
            <div>
              <p>
                <strong>{step.operation}</strong> · {step.backend} {step.model}@{step.modelVersion} · seed{' '}
                {step.seed} · {step.width}×{step.height} · {(step.durationMs / 1000).toFixed(1)} s
              </p>
              <p className="small">{step.prompt}</p>
              <p className="muted small">
                {new Date(step.createdAt).toLocaleString()} ·{' '}
                <Link href={runPath(projectId, step.runId)}>run</Link> ·{' '}
                <a href={step.imageUrl} download={`pakati-${step.id}.png`}>
                  Download
                </a>
              </p>
            </div>
          </li>
        ))}
      </ol>
      {hasMore ? (
        <button type="button" className="secondary" onClick={more} disabled={loading}>
          {loading ? 'Loading…' : 'Older steps'}
        </button>
      ) : null}
    </section>
  );
}
