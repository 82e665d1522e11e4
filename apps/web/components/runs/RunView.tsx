'use client';

import { useEffect, useMemo, useState } from 'react';
import { baselineVersusBest } from '../../lib/runs/before-after';
import { isCancellable } from '../../lib/runs/run-view-state';
import { graphqlRunsApi, type RunsApi } from '../../lib/runs/runs-api';
import { buildScoreChart } from '../../lib/runs/score-chart';
import { useRunStream } from '../../lib/runs/use-run-stream';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { BeforeAfter } from './BeforeAfter';
import { IterationDetails } from './IterationDetails';
import { IterationTimeline } from './IterationTimeline';
import { RunEventList } from './RunEventList';
import { RunFailures } from './RunFailures';
import { RunProgress } from './RunProgress';
import { ScoreChart } from './ScoreChart';

/** Prompts are long; a chart legend needs a few words. */
function shortLabel(prompt: string): string {
  return prompt.length > 28 ? `${prompt.slice(0, 27)}…` : prompt;
}

const STREAM_TEXT = {
  connecting: 'connecting…',
  live: 'live',
  ended: 'finished',
  error: 'disconnected',
} as const;

export function RunView({
  runId,
  projectId,
  api = graphqlRunsApi,
}: {
  runId: string;
  projectId: string;
  api?: RunsApi;
}) {
  const { view, events, run, iterationDetails, stream, streamError, loadError, refresh, applyRun } =
    useRunStream(api, runId);
  const [regionLabels, setRegionLabels] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<number | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<DisplayError | null>(null);

  useEffect(() => {
    let live = true;
    api.projectRegions(projectId).then(
      (regions) => {
        if (live) setRegionLabels(Object.fromEntries(regions.map((r) => [r.id, shortLabel(r.prompt)])));
      },
      // Labels are a nicety: the chart falls back to region ids.
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, projectId]);

  const chart = useMemo(
    () => buildScoreChart(view.iterations, regionLabels),
    [view.iterations, regionLabels],
  );
  const fullImages = useMemo(
    () =>
      new Map(
        iterationDetails.flatMap((d) => (d.imageUrl ? ([[d.index, d.imageUrl]] as [number, string][]) : [])),
      ),
    [iterationDetails],
  );
  const pair = useMemo(
    () => baselineVersusBest(view.iterations, view.bestIteration, fullImages),
    [view.iterations, view.bestIteration, fullImages],
  );
  const shownIteration = selected ?? view.iterations[view.iterations.length - 1]?.iteration ?? null;

  async function cancel() {
    setCancelError(null);
    setCancelling(true);
    try {
      applyRun(await api.cancelRun(runId));
      refresh();
    } catch (error) {
      setCancelError(toDisplayError(error));
    } finally {
      setCancelling(false);
    }
  }

  if (loadError && !run) {
    return <ErrorMessage error={loadError} testId="run-load-error" prefix="Could not load the run:" />;
  }

  return (
    <article className="runs-view" data-testid="run-view" data-run-status={view.status}>
      <header className="runs-view-head">
        <h2>
          {run ? `${run.kind === 'REFINE' ? 'Refinement' : 'Generation'} run` : 'Run'} <code>{runId}</code>
        </h2>
        <span className={`runs-stream runs-stream-${stream}`} data-testid="run-stream" aria-live="polite">
          {STREAM_TEXT[stream]}
        </span>
        {isCancellable(view.status) ? (
          <button
            type="button"
            className="danger"
            onClick={() => void cancel()}
            disabled={cancelling}
            data-testid="cancel-run"
          >
            {cancelling ? 'Cancelling…' : 'Cancel run'}
          </button>
        ) : null}
      </header>
      {run ? (
        <p className="muted small">
          seed {run.seed} · priority {run.priority} · started {new Date(run.createdAt).toLocaleString()}
        </p>
      ) : null}

      <RunProgress view={view} />
      <ErrorMessage error={cancelError} testId="cancel-run-error" prefix="Cancel failed:" />
      {streamError && view.status !== 'SUCCEEDED' ? (
        <ErrorMessage error={streamError} testId="run-stream-error" prefix="Live updates stopped:" />
      ) : null}
      {loadError ? <ErrorMessage error={loadError} testId="run-load-error" /> : null}
      {view.status === 'FAILED' && view.error ? (
        <ErrorMessage error={view.error} testId="run-error" prefix="Run failed:" />
      ) : null}
      {view.status === 'CANCELLED' ? (
        <p className="muted" data-testid="run-cancelled">
          Cancelled{view.cancelReason ? `: ${view.cancelReason}` : '.'}
        </p>
      ) : null}
      {view.status === 'FAILED' && run ? <RunFailures failures={run.failures} /> : null}

      <div className="runs-view-images">
        {view.imageUrl ? (
          <figure className="runs-result">
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img src={view.imageUrl} alt={`Result of run ${runId}`} data-testid="run-result-image" />
            <figcaption>
              <a href={view.imageUrl} download={`pakati-${runId}.png`}>
                Download
              </a>
            </figcaption>
          </figure>
        ) : view.previewUrl ? (
          <figure className="runs-result">
            {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs from the API. */}
            <img src={view.previewUrl} alt="Preview of the run in progress" />
            <figcaption className="muted">Preview</figcaption>
          </figure>
        ) : null}
        {pair ? <BeforeAfter pair={pair} /> : null}
      </div>

      {view.iterations.length > 0 || run?.kind === 'REFINE' ? (
        <section aria-label="Iterations" className="runs-iterations">
          <h3>
            Iterations
            {view.bestScore !== null
              ? ` · best ${view.bestScore.toFixed(3)} (#${view.bestIteration ?? 0})`
              : ''}
          </h3>
          <IterationTimeline
            iterations={view.iterations}
            bestIteration={view.bestIteration}
            selected={shownIteration}
            onSelect={setSelected}
          />
          <ScoreChart chart={chart} />
          {shownIteration !== null ? (
            <IterationDetails
              iteration={shownIteration}
              detail={iterationDetails.find((d) => d.index === shownIteration)}
              regionLabels={regionLabels}
            />
          ) : null}
        </section>
      ) : null}

      <RunEventList events={events} />
    </article>
  );
}
