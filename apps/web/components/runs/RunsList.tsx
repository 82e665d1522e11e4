'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { runPath } from '../../lib/paths';
import { progressPercent } from '../../lib/runs/progress-text';
import { graphqlRunsApi, type RunSummary, type RunsApi } from '../../lib/runs/runs-api';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';

export const RUNS_PAGE_SIZE = 20;

/** A project's runs, newest first, a page at a time. */
export function RunsList({ projectId, api = graphqlRunsApi }: { projectId: string; api?: RunsApi }) {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.projectRuns(projectId, RUNS_PAGE_SIZE, after);
        if (!page) {
          setError({ code: 'NOT_FOUND', message: 'This project does not exist.' });
          return;
        }
        setRuns((current) => (after ? [...(current ?? []), ...page.runs] : page.runs));
        setCursor(page.endCursor);
        setHasMore(page.hasNextPage);
      } catch (e) {
        setError(toDisplayError(e));
      } finally {
        setLoading(false);
      }
    },
    [api, projectId],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <section className="card runs-list" aria-label="Runs">
      <div className="card-head">
        <h2>Runs</h2>
        <button type="button" className="secondary" onClick={() => void load(null)} disabled={loading}>
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
        <button type="button" className="secondary" onClick={() => void load(cursor)} disabled={loading}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
