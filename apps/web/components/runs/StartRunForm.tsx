'use client';

import { type FormEvent, useId, useRef, useState } from 'react';
import { GraphQLRequestError } from '../../lib/graphql-client';
import { newIdempotencyKey } from '../../lib/ids';
import { graphqlRunsApi, type RunSummary, type RunsApi } from '../../lib/runs/runs-api';
import {
  apiFieldErrors,
  DEFAULT_START_RUN_VALUES,
  type FieldErrors,
  PRIORITY_RANGE,
  REFINEMENT_STRATEGIES,
  type RefinementStrategy,
  START_RUN_KINDS,
  type StartRunField,
  type StartRunFormValues,
  type StartRunKind,
  validateStartRun,
} from '../../lib/runs/start-run-form';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';

function FieldMessage({ id, error }: { id: string; error: FieldErrors[StartRunField] }) {
  if (!error) return null;
  return (
    <span id={id} className="field-error" role="alert" data-error-code={error.code}>
      {error.message}
    </span>
  );
}

/**
 * Starts a GENERATE or REFINE run. One idempotency key covers one submission and its retries (a
 * double click, a resend after a network error), so the API starts at most one run for it; a
 * changed form or a started run gets a new key.
 */
export function StartRunForm({
  projectId,
  onStarted,
  api = graphqlRunsApi,
}: {
  projectId: string;
  onStarted(run: RunSummary): void;
  api?: RunsApi;
}) {
  const [values, setValues] = useState<StartRunFormValues>(DEFAULT_START_RUN_VALUES);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<DisplayError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const key = useRef<string | null>(null);
  const inFlight = useRef(false);
  const id = useId();

  function change<K extends keyof StartRunFormValues>(field: K, value: StartRunFormValues[K]) {
    key.current = null;
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => ({ ...current, [field]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inFlight.current) return;
    setFormError(null);
    const checked = validateStartRun(projectId, values);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    key.current ??= newIdempotencyKey();
    inFlight.current = true;
    setSubmitting(true);
    try {
      const run = await api.startRun(checked.request, key.current);
      key.current = null;
      onStarted(run);
    } catch (error) {
      const entries = error instanceof GraphQLRequestError ? error.errors : [];
      const { fields, other } = apiFieldErrors(entries);
      setErrors(fields);
      if (other.length > 0 || Object.keys(fields).length === 0) setFormError(toDisplayError(error));
    } finally {
      inFlight.current = false;
      setSubmitting(false);
    }
  }

  const fieldProps = (field: StartRunField) => ({
    id: `${id}-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `${id}-${field}-error` : undefined,
  });
  const refine = values.kind === 'REFINE';

  return (
    <form className="card runs-start" onSubmit={(e) => void submit(e)} noValidate aria-label="Start a run">
      <h2>Start a run</h2>
      <fieldset className="runs-kind">
        <legend>Kind</legend>
        {START_RUN_KINDS.map((kind) => (
          <label key={kind}>
            <input
              type="radio"
              name={`${id}-kind`}
              value={kind}
              checked={values.kind === kind}
              onChange={() => change('kind', kind as StartRunKind)}
            />{' '}
            {kind === 'GENERATE' ? 'Generate' : 'Refine towards the references'}
          </label>
        ))}
      </fieldset>
      {refine ? (
        <div className="runs-start-grid">
          <label className="field" htmlFor={`${id}-strategy`}>
            <span>Strategy</span>
            <select
              {...fieldProps('strategy')}
              value={values.strategy}
              onChange={(e) => change('strategy', e.target.value as RefinementStrategy)}
            >
              {REFINEMENT_STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
            <FieldMessage id={`${id}-strategy-error`} error={errors.strategy} />
          </label>
          <label className="field" htmlFor={`${id}-maxIterations`}>
            <span>Max iterations (1–20)</span>
            <input
              {...fieldProps('maxIterations')}
              type="number"
              inputMode="numeric"
              min={1}
              max={20}
              value={values.maxIterations}
              onChange={(e) => change('maxIterations', e.target.value)}
            />
            <FieldMessage id={`${id}-maxIterations-error`} error={errors.maxIterations} />
          </label>
          <label className="field" htmlFor={`${id}-targetScore`}>
            <span>Target score (0–1]</span>
            <input
              {...fieldProps('targetScore')}
              type="number"
              inputMode="decimal"
              min={0}
              max={1}
              step={0.01}
              value={values.targetScore}
              onChange={(e) => change('targetScore', e.target.value)}
            />
            <FieldMessage id={`${id}-targetScore-error`} error={errors.targetScore} />
          </label>
        </div>
      ) : null}
      <div className="runs-start-grid">
        <label className="field" htmlFor={`${id}-seed`}>
          <span>Seed (optional)</span>
          <input
            {...fieldProps('seed')}
            inputMode="numeric"
            placeholder="drawn"
            value={values.seed}
            onChange={(e) => change('seed', e.target.value)}
          />
          <FieldMessage id={`${id}-seed-error`} error={errors.seed} />
        </label>
        <label className="field" htmlFor={`${id}-priority`}>
          <span>
            Priority ({PRIORITY_RANGE.min}–{PRIORITY_RANGE.max}, optional)
          </span>
          <input
            {...fieldProps('priority')}
            type="number"
            inputMode="numeric"
            min={PRIORITY_RANGE.min}
            max={PRIORITY_RANGE.max}
            placeholder="tier default"
            value={values.priority}
            onChange={(e) => change('priority', e.target.value)}
          />
          <FieldMessage id={`${id}-priority-error`} error={errors.priority} />
        </label>
      </div>
      <ErrorMessage error={formError} testId="start-run-error" prefix="Could not start the run:" />
      <button type="submit" disabled={submitting}>
        {submitting ? 'Starting…' : refine ? 'Start refinement' : 'Generate'}
      </button>
    </form>
  );
}
