'use client';

import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type ApiClient, isUnauthenticated } from '../lib/graphql-client';
import { newIdempotencyKey } from '../lib/ids';
import {
  PROJECT_QUERY,
  PROJECT_RUNS_QUERY,
  type ProjectData,
  type ProjectDetail,
  type ProjectRunsData,
  type ProjectSummary,
  type Run,
  START_RUN_MUTATION,
  type StartRunData,
} from '../lib/operations';
import { parseSeed } from '../lib/project-form';
import type { RunSnapshot } from '../lib/run-events';
import { type DisplayError, ErrorMessage, toDisplayError } from './ErrorMessage';
import { RunPanel } from './RunPanel';

function toSnapshot(run: Run): RunSnapshot {
  return {
    id: run.id,
    status: run.status,
    progress: run.progress,
    seed: run.seed,
    imageUrl: run.imageUrl,
    error: run.error,
  };
}

export function ProjectPanel({
  api,
  apiUrl,
  apiKey,
  project,
  onUnauthenticated,
}: {
  api: ApiClient;
  apiUrl: string;
  apiKey: string;
  project: ProjectSummary;
  onUnauthenticated: (error: unknown) => void;
}) {
  const [detail, setDetail] = useState<ProjectDetail | null>(null);
  const [detailError, setDetailError] = useState<DisplayError | null>(null);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [runsError, setRunsError] = useState<DisplayError | null>(null);
  const [seed, setSeed] = useState('');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<DisplayError | null>(null);
  const [activeRun, setActiveRun] = useState<RunSnapshot | null>(null);

  const fail = useCallback(
    (error: unknown, set: (e: DisplayError) => void) => {
      if (isUnauthenticated(error)) onUnauthenticated(error);
      else set(toDisplayError(error));
    },
    [onUnauthenticated],
  );

  useEffect(() => {
    let live = true;
    api
      .request<ProjectData>(PROJECT_QUERY, { id: project.id })
      .then((data) => {
        if (!live) return;
        if (data.project) setDetail(data.project);
        else setDetailError({ code: 'NOT_FOUND', message: 'Project not found.' });
      })
      .catch((error: unknown) => {
        if (live) fail(error, setDetailError);
      });
    return () => {
      live = false;
    };
  }, [api, project.id, fail]);

  const loadRuns = useCallback(async () => {
    try {
      const data = await api.request<ProjectRunsData>(PROJECT_RUNS_QUERY, { id: project.id, first: 10 });
      setRuns(data.project?.runs.edges.map((edge) => edge.node) ?? []);
      setRunsError(null);
    } catch (error) {
      fail(error, setRunsError);
    }
  }, [api, project.id, fail]);

  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  async function onStart(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStartError(null);
    const parsedSeed = parseSeed(seed);
    if (parsedSeed === undefined) {
      setStartError({
        code: 'BAD_USER_INPUT',
        message: 'Seed must be a whole number (or empty for random).',
      });
      return;
    }
    setStarting(true);
    try {
      const data = await api.request<StartRunData>(START_RUN_MUTATION, {
        input: {
          projectId: project.id,
          kind: 'GENERATE',
          idempotencyKey: newIdempotencyKey(),
          ...(parsedSeed === null ? {} : { seed: parsedSeed }),
        },
      });
      setActiveRun(toSnapshot(data.startRun.run));
      void loadRuns();
    } catch (error) {
      fail(error, setStartError);
    } finally {
      setStarting(false);
    }
  }

  return (
    <div className="project-panel" data-testid="project-panel" data-project-id={project.id}>
      <section className="card">
        <h2>{project.name}</h2>
        <p className="muted">
          {project.width} × {project.height} px · created {new Date(project.createdAt).toLocaleString()}
        </p>
        <ErrorMessage error={detailError} testId="project-error" />
        {detail ? (
          detail.regions.length === 0 ? (
            <p className="muted">No regions yet.</p>
          ) : (
            <ul className="regions" data-testid="region-list">
              {detail.regions.map((region) => (
                <li key={region.id}>
                  <span className="badge">z{region.zOrder}</span> {region.prompt}
                  {region.negativePrompt ? (
                    <span className="muted"> — not: {region.negativePrompt}</span>
                  ) : null}
                  <span className="muted small">
                    {' '}
                    ({region.points.length} points
                    {region.seed !== null ? `, seed ${region.seed}` : ''})
                  </span>
                </li>
              ))}
            </ul>
          )
        ) : null}
      </section>

      <section className="card">
        <h2>Generate</h2>
        <form className="start-form" onSubmit={onStart}>
          <label className="field inline">
            <span>Seed (optional)</span>
            <input
              data-testid="run-seed-input"
              inputMode="numeric"
              placeholder="random"
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
          </label>
          <button type="submit" data-testid="start-run-button" disabled={starting}>
            {starting ? 'Starting…' : 'Start run'}
          </button>
        </form>
        <ErrorMessage error={startError} testId="start-run-error" />
        {activeRun ? (
          <RunPanel
            key={activeRun.id}
            api={api}
            apiUrl={apiUrl}
            apiKey={apiKey}
            run={activeRun}
            width={project.width}
            height={project.height}
            onUnauthenticated={onUnauthenticated}
            onStatusChange={(status) => {
              setActiveRun((current) =>
                current && current.status !== status ? { ...current, status } : current,
              );
              if (status !== 'QUEUED' && status !== 'RUNNING') void loadRuns();
            }}
          />
        ) : null}
      </section>

      <section className="card">
        <div className="card-head">
          <h2>Recent runs</h2>
          <button type="button" className="secondary" onClick={() => void loadRuns()}>
            Refresh
          </button>
        </div>
        <ErrorMessage error={runsError} testId="runs-error" />
        {runs && runs.length === 0 ? <p className="muted">No runs yet.</p> : null}
        <ul className="runs" data-testid="run-list">
          {(runs ?? []).map((run) => (
            <li key={run.id}>
              <span className={`status status-${run.status.toLowerCase()}`}>{run.status}</span>{' '}
              <span className="muted small">
                seed {run.seed} · {new Date(run.createdAt).toLocaleString()}
              </span>{' '}
              <button
                type="button"
                className="link"
                disabled={activeRun?.id === run.id}
                onClick={() => setActiveRun(toSnapshot(run))}
              >
                {activeRun?.id === run.id ? 'Shown' : 'Show'}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
