'use client';

import { type FormEvent, useId, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import { readFragment } from '../../lib/graphql';
import { CreateProjectMutation, ProjectSummaryFields } from '../../lib/projects/project-documents';
import {
  apiFieldErrors,
  DEFAULT_CANVAS,
  type FieldErrors,
  type ProjectDraft,
  validateProjectDraft,
} from '../../lib/projects/project-forms';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import { FieldError } from './FieldError';

const EMPTY: ProjectDraft = {
  name: '',
  width: String(DEFAULT_CANVAS.width),
  height: String(DEFAULT_CANVAS.height),
};

export function CreateProjectForm({ onCreated }: { onCreated: (projectId: string) => void }) {
  const [draft, setDraft] = useState<ProjectDraft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<DisplayError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const toSignIn = useSignInRedirect();
  const id = useId();

  const set = (field: keyof ProjectDraft) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    setCreated(null);
    const checked = validateProjectDraft(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const data = await gqlRequest(CreateProjectMutation, { input: checked.input });
      setDraft(EMPTY);
      setCreated(checked.input.name);
      onCreated(readFragment(ProjectSummaryFields, data.createProject.project).id);
    } catch (error) {
      if (toSignIn(error)) return;
      const fields = apiFieldErrors(error);
      if (fields) setErrors(fields);
      else setFailure(toDisplayError(error));
    } finally {
      setSubmitting(false);
    }
  }

  const input = (field: keyof ProjectDraft, label: string, extra: Record<string, string> = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <input
        id={`${id}-${field}`}
        name={field}
        value={draft[field]}
        onChange={(e) => set(field)(e.target.value)}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={errors[field] ? `${id}-${field}-error` : undefined}
        {...extra}
      />
      <FieldError id={`${id}-${field}-error`} message={errors[field]} />
    </div>
  );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New project</h2>
      <form className="create-project" onSubmit={onSubmit} noValidate>
        {input('name', 'Name', { autoComplete: 'off', placeholder: 'Harbour at dusk' })}
        <div className="row">
          {input('width', 'Width (px)', { inputMode: 'numeric' })}
          {input('height', 'Height (px)', { inputMode: 'numeric' })}
        </div>
        {errors.form ? (
          <p className="field-error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <ErrorMessage error={failure} prefix="Could not create the project:" />
        <div className="actions">
          <button type="submit" disabled={submitting}>
            {submitting ? 'Creating…' : 'Create project'}
          </button>
          {created ? (
            <span className="success-inline" role="status">
              Created “{created}”.
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
