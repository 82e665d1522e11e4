'use client';

import { useCallback, useState } from 'react';
import { graphqlSystemApi, type SystemApi, type SystemStatus } from '../../lib/settings/system-api';
import {
  capabilityList,
  formatAge,
  formatLatency,
  formatMemory,
  formatRate,
  queueBacklog,
  SYSTEM_REFRESH_MS,
} from '../../lib/settings/system-format';
import { useVisiblePolling } from '../../lib/settings/system-polling';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import styles from './SystemSettings.module.css';

const circuitClass: Record<string, string | undefined> = {
  open: styles.open,
  'half-open': styles.halfOpen,
};

/** Backends with their health and circuit, the worker fleet and the queue depths, refreshed while visible. */
export function SystemSettings({
  api = graphqlSystemApi,
  refreshMs = SYSTEM_REFRESH_MS,
}: {
  api?: SystemApi;
  refreshMs?: number;
}) {
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [checkedAt, setCheckedAt] = useState(0);
  const [error, setError] = useState<DisplayError | null>(null);
  const toSignIn = useSignInRedirect();

  const refresh = useCallback(
    (signal: AbortSignal) => {
      api
        .status(signal)
        .then((next) => {
          if (signal.aborted) return;
          setStatus(next);
          setCheckedAt(Date.now());
          setError(null);
        })
        .catch((e: unknown) => {
          // A failed refresh keeps the last good figures on screen under the error.
          if (!signal.aborted && !toSignIn(e)) setError(toDisplayError(e));
        });
    },
    [api, toSignIn],
  );
  useVisiblePolling(refresh, refreshMs);

  return (
    <section className="card stack" aria-labelledby="system-title">
      <div className="card-head">
        <h2 id="system-title">System</h2>
        {status ? (
          <span className="muted small">
            Updated {new Date(checkedAt).toLocaleTimeString()}, every {Math.round(refreshMs / 1000)} s
          </span>
        ) : null}
      </div>
      <ErrorMessage error={error} testId="system-error" prefix="Could not load the system status:" />
      {status === null && !error ? <p className="muted">Loading the system status…</p> : null}
      {status ? (
        <>
          <Backends models={status.models} />
          <Fleet workers={status.workers} now={checkedAt} />
          <Queues queues={status.queues} />
        </>
      ) : null}
    </section>
  );
}

function Backends({ models }: { models: SystemStatus['models'] }) {
  return (
    <div className="stack">
      <h3>Backends</h3>
      {models.length === 0 ? <p className="muted">No backend is enabled.</p> : null}
      {models.length > 0 ? (
        <table className="data-table" aria-label="Backends">
          <thead>
            <tr>
              <th scope="col">Backend</th>
              <th scope="col">Circuit</th>
              <th scope="col">Workers</th>
              <th scope="col">Capabilities</th>
              <th scope="col">Success rate</th>
              <th scope="col">p50 latency</th>
            </tr>
          </thead>
          <tbody>
            {models.map((model) => (
              <tr key={model.name}>
                <th scope="row">
                  {model.name}
                  {model.available ? null : <span className="badge">unavailable</span>}
                </th>
                <td className={circuitClass[model.circuit]}>{model.circuit}</td>
                <td className={styles.num}>{model.workers}</td>
                <td>
                  {model.capabilities
                    ? `${capabilityList(model.capabilities).join(', ')} · up to ${model.capabilities.maxWidth}×${model.capabilities.maxHeight}`
                    : 'not reported yet'}
                </td>
                <td className={styles.num}>
                  {formatRate(model.performance.successRate)}
                  {model.performance.successes + model.performance.failures > 0
                    ? ` (${model.performance.successes}/${model.performance.successes + model.performance.failures})`
                    : ''}
                </td>
                <td className={styles.num}>{formatLatency(model.performance.p50LatencyMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Fleet({ workers, now }: { workers: SystemStatus['workers']; now: number }) {
  return (
    <div className="stack">
      <h3>Worker fleet</h3>
      {workers.length === 0 ? <p className="muted">No worker is running.</p> : null}
      {workers.length > 0 ? (
        <table className="data-table" aria-label="Workers">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Device</th>
              <th scope="col">TF.js</th>
              <th scope="col">Kernel</th>
              <th scope="col">Queues (concurrency)</th>
              <th scope="col">Jobs in hand</th>
              <th scope="col">State</th>
              <th scope="col">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => {
              const memory = formatMemory(worker.device.memoryUsedMb, worker.device.memoryTotalMb);
              return (
                <tr key={worker.id} data-testid="fleet-worker">
                  <th scope="row">
                    {worker.host}
                    <span className="muted small"> pid {worker.pid}</span>
                  </th>
                  <td>
                    {worker.device.kind} {worker.device.name}
                    {memory ? <span className="muted small"> {memory}</span> : null}
                  </td>
                  <td>{worker.tfjsBackend ?? '—'}</td>
                  <td>{worker.analysisKernel}</td>
                  <td>{worker.queues.map((q) => `${q.name} (${q.concurrency})`).join(', ')}</td>
                  <td className={styles.num}>{worker.jobsInHand}</td>
                  <td>{worker.state}</td>
                  <td>
                    <time dateTime={worker.lastHeartbeatAt}>{formatAge(worker.lastHeartbeatAt, now)}</time>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

const COUNTS = [
  ['waiting', 'Waiting'],
  ['prioritized', 'Prioritized'],
  ['delayed', 'Delayed'],
  ['waitingChildren', 'Waiting children'],
  ['active', 'Active'],
  ['failed', 'Failed'],
  ['completed', 'Completed'],
] as const;

function Queues({ queues }: { queues: SystemStatus['queues'] }) {
  return (
    <div className="stack">
      <h3>Queues</h3>
      <table className="data-table" aria-label="Queues">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Backlog</th>
            {COUNTS.map(([key, label]) => (
              <th key={key} scope="col">
                {label}
              </th>
            ))}
            <th scope="col">Workers</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue.name}>
              <th scope="row">
                {queue.name}
                {queue.paused ? <span className="badge">paused</span> : null}
              </th>
              <td className={styles.num}>{queueBacklog(queue)}</td>
              {COUNTS.map(([key]) => (
                <td key={key} className={styles.num}>
                  {queue[key]}
                </td>
              ))}
              <td className={styles.num}>{queue.workers}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
