'use client';

import Link from 'next/link';
import { useCallback } from 'react';
import { runPath } from '../../lib/paths';
import { progressPercent } from '../../lib/runs/progress-text';
import { graphqlRunsApi, type RunSummary, type RunsApi } from '../../lib/runs/runs-api';
import { usePagedList } from '../../lib/use-paged-list';
import { ErrorMessage } from '../ErrorMessage';

export const RUNS_PAGE_SIZE = 20;

/** A project's runs, newest first, a page at a time. */
export function RunsList({ projectId, api = graphqlRunsApi }: { projectId: string; api?: RunsApi }) {
  const fetchPage = useCallback(
    async (after: string | null) => {
      const page = await api.projectRuns(projectId, RUNS_PAGE_SIZE, after);
      return page && { items: page.runs, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
    },
    [api, projectId],
  );
  const { items: runs, hasMore, loading, error, refresh, more } = usePagedList<RunSummary>(fetchPage);

  return (
    <section className="card runs-list" aria-label="Runs">
      <div className="card-head">
        <h2>Runs</h2>
        <button type="button" className="secondary" onClick={refresh} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <ErrorMessage error={error} testId="runs-error" />
      {runs && runs.length === 0 ? <p className="muted">No runs yet.</p> : null}
      {runs ? (
        <ul data-testid="runs-list">
          {runs.map((run) => (
            <li key={run.id} className="runs-list-item">
              <Link href={runPath(projectId, run.id)}>
                <span className={`status status-${run.status.toLowerCase()}`}>{run.status}</span>{' '}
                {run.kind.toLowerCase()} · {progressPercent(run.progress)}% ·{' '}
                <span className="muted small">{new Date(run.createdAt).toLocaleString()}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {hasMore ? (
        <button type="button" className="secondary" onClick={more} disabled={loading}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
