import type { RunFailure } from '../../lib/runs/runs-api';

/** Every failed attempt of every job of the run, oldest first. */
export function RunFailures({ failures }: { failures: readonly RunFailure[] }) {
  if (failures.length === 0) return null;
  return (
    <section className="runs-failures" aria-label="Failures">
      <h3>Failures</h3>
      <ol data-testid="run-failures">
        {failures.map((f) => (
          <li key={`${f.jobName}:${f.attempt}:${f.at}`}>
            <strong>{f.jobName}</strong> attempt {f.attempt}: <code>{f.code}</code> {f.message}{' '}
            <span className="muted small">
              {new Date(f.at).toLocaleString()} · {f.willRetry ? 'retried' : 'final'}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
