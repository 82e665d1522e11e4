'use client';

import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { type Analytics, type AnalyticsApi, graphqlAnalyticsApi } from '../../lib/analytics/analytics-api';
import {
  ANALYTICS_WINDOWS,
  type AnalyticsWindow,
  DAY_SERIES,
  DEFAULT_WINDOW,
  dayBars,
  formatCost,
  totalCost,
  unfinishedRuns,
} from '../../lib/analytics/analytics-format';
import { formatLatency, formatRate } from '../../lib/settings/system-format';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import styles from './AnalyticsDashboard.module.css';

/** Runs per day by outcome, the success rate and per-backend durations and cost over a chosen window. */
export function AnalyticsDashboard({ api = graphqlAnalyticsApi }: { api?: AnalyticsApi }) {
  const [days, setDays] = useState<AnalyticsWindow>(DEFAULT_WINDOW);
  const [analytics, setAnalytics] = useState<Analytics | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const toSignIn = useSignInRedirect();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's trigger
  useEffect(() => {
    const controller = new AbortController();
    setAnalytics(null);
    setError(null);
    api
      .analytics(days, controller.signal)
      .then((next) => {
        if (!controller.signal.aborted) setAnalytics(next);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted && !toSignIn(e)) setError(toDisplayError(e));
      });
    // A quick switch of windows must not let the slower, older answer win.
    return () => controller.abort();
  }, [api, days, toSignIn, attempt]);

  return (
    <div className="stack">
      <div className={styles.head}>
        <h1>Analytics</h1>
        <fieldset className={styles.windows}>
          <legend className="muted small">Window</legend>
          {ANALYTICS_WINDOWS.map((w) => (
            <label key={w}>
              <input type="radio" name="analytics-window" checked={days === w} onChange={() => setDays(w)} />
              {w} days
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorMessage error={error} testId="analytics-error" prefix="Could not load the analytics:" />
      {error ? (
        <button type="button" className="secondary" onClick={() => setAttempt((n) => n + 1)}>
          Try again
        </button>
      ) : null}
      {analytics === null && !error ? <p className="muted">Loading the analytics…</p> : null}
      {analytics ? (
        <>
          <Summary analytics={analytics} />
          <RunsPerDayChart analytics={analytics} />
          <Backends backends={analytics.backends} />
        </>
      ) : null}
    </div>
  );
}

function Summary({ analytics }: { analytics: Analytics }) {
  const cost = totalCost(analytics.backends);
  const unfinished = unfinishedRuns(analytics);
  return (
    <section className="card" aria-label="Summary">
      <dl className={styles.summary}>
        <div>
          <dt>Success rate</dt>
          <dd data-testid="success-rate">{formatRate(analytics.successRate)}</dd>
          <dd className="muted small">
            {analytics.succeeded} succeeded, {analytics.failed} failed; cancelled and unfinished runs left out
          </dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd data-testid="run-total">{analytics.total}</dd>
          <dd className="muted small">
            {analytics.cancelled} cancelled{unfinished ? `, ${unfinished} unfinished` : ''}
          </dd>
        </div>
        <div>
          <dt>Estimated cost</dt>
          <dd data-testid="total-cost">{formatCost(cost.cost)}</dd>
          <dd className="muted small">
            at today's prices{cost.partial ? '; some backends have not reported a price' : ''}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function RunsPerDayChart({ analytics }: { analytics: Analytics }) {
  const bars = dayBars(analytics.runsPerDay);
  return (
    <section className="card stack" aria-labelledby="runs-per-day-title">
      <h2 id="runs-per-day-title">Runs per day</h2>
      {analytics.total === 0 ? <p className="muted">No runs in the last {analytics.days} days.</p> : null}
      <figure className={styles.chart}>
        <BarChart responsive data={bars} style={{ width: '100%', aspectRatio: 3, maxHeight: 320 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          {DAY_SERIES.map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stackId="runs"
              fill={s.color}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
        <figcaption className="muted small">By the UTC day each run was created.</figcaption>
      </figure>
    </section>
  );
}

function Backends({ backends }: { backends: Analytics['backends'] }) {
  return (
    <section className="card stack" aria-labelledby="backends-title">
      <h2 id="backends-title">Backends</h2>
      {backends.length === 0 ? <p className="muted">No generation steps in this window.</p> : null}
      {backends.length > 0 ? (
        <table className="data-table" aria-label="Backend usage">
          <thead>
            <tr>
              <th scope="col">Backend</th>
              <th scope="col">Steps</th>
              <th scope="col">Failed over</th>
              <th scope="col">p50 duration</th>
              <th scope="col">p95 duration</th>
              <th scope="col">Estimated cost</th>
            </tr>
          </thead>
          <tbody>
            {backends.map((b) => (
              <tr key={b.backend}>
                <th scope="row">{b.backend}</th>
                <td className={styles.num}>{b.steps}</td>
                <td className={styles.num}>{b.failedOver}</td>
                <td className={styles.num}>{formatLatency(b.p50DurationMs)}</td>
                <td className={styles.num}>{formatLatency(b.p95DurationMs)}</td>
                <td className={styles.num}>{formatCost(b.estimatedCost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="muted small">
        Costs are estimates: steps × each backend's price per image as its workers report it today.
      </p>
    </section>
  );
}
