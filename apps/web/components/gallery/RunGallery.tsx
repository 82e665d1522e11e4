'use client';

import Link from 'next/link';
import { useCallback } from 'react';
import { runPath } from '../../lib/paths';
import { graphqlRunsApi, type RunSummary, type RunsApi } from '../../lib/runs/runs-api';
import { usePagedList } from '../../lib/use-paged-list';
import { ErrorMessage } from '../ErrorMessage';

export const GALLERY_PAGE_SIZE = 24;

/**
 * The images of the project's SUCCEEDED runs, newest first. Project.runs cannot filter by status,
 * so each page is a page of runs with the unfinished and failed ones left out.
 */
export function RunGallery({ projectId, api = graphqlRunsApi }: { projectId: string; api?: RunsApi }) {
  const fetchPage = useCallback(
    async (after: string | null) => {
      const page = await api.projectRuns(projectId, GALLERY_PAGE_SIZE, after);
      if (!page) return null;
      const done = page.runs.filter((run) => run.status === 'SUCCEEDED' && run.imageUrl);
      return { items: done, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
    },
    [api, projectId],
  );
  const { items: runs, hasMore, loading, error, more } = usePagedList<RunSummary>(fetchPage);

  return (
    <section className="gallery" aria-label="Results">
      <h2>Results</h2>
      <ErrorMessage error={error} testId="gallery-error" />
      {runs === null && loading ? <p className="muted">Loading…</p> : null}
      {runs && runs.length === 0 && !hasMore ? <p className="muted">No finished images yet.</p> : null}
      <ul className="gallery-grid" data-testid="gallery">
        {(runs ?? []).map((run) => (
          <li key={run.id}>
            <figure>
              {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
              <img src={run.imageUrl ?? ''} alt={`Result of run ${run.id}`} loading="lazy" />
              <figcaption>
                <Link href={runPath(projectId, run.id)}>{run.kind.toLowerCase()} run</Link> · seed {run.seed}{' '}
                ·{' '}
                <a href={run.imageUrl ?? ''} download={`pakati-${run.id}.png`}>
                  Download
                </a>
              </figcaption>
            </figure>
          </li>
        ))}
      </ul>
      {hasMore ? (
        <button type="button" className="secondary" onClick={more} disabled={loading}>
          {loading ? 'Loading…' : 'Older results'}
        </button>
      ) : null}
    </section>
  );
}
