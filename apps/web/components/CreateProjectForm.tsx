'use client';

import { type FormEvent, useState } from 'react';
import { type ApiClient, isUnauthenticated } from '../lib/graphql-client';
import {
  ADD_REGION_MUTATION,
  type AddRegionData,
  CREATE_PROJECT_MUTATION,
  type CreateProjectData,
  type ProjectSummary,
} from '../lib/operations';
import {
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  defaultRect,
  type ProjectFormValues,
  parseWholeNumber,
  rectPoints,
  validateProjectForm,
} from '../lib/project-form';
import { type DisplayError, ErrorMessage, toDisplayError } from './ErrorMessage';

function rectFields(width: number, height: number): Pick<ProjectFormValues, 'x' | 'y' | 'w' | 'h'> {
  const r = defaultRect(width, height);
  return { x: String(r.x), y: String(r.y), w: String(r.w), h: String(r.h) };
}

const INITIAL: ProjectFormValues = {
  name: '',
  width: String(DEFAULT_WIDTH),
  height: String(DEFAULT_HEIGHT),
  ...rectFields(DEFAULT_WIDTH, DEFAULT_HEIGHT),
  prompt: '',
  negativePrompt: '',
};

type Field = keyof ProjectFormValues;

export function CreateProjectForm({
  api,
  onCreated,
  onUnauthenticated,
}: {
  api: ApiClient;
  onCreated: (project: ProjectSummary) => void;
  onUnauthenticated: (error: unknown) => void;
}) {
  const [values, setValues] = useState<ProjectFormValues>(INITIAL);
  // Until the user edits the rectangle it follows the canvas size (centred, half width and height).
  const [rectEdited, setRectEdited] = useState(false);
  const [validationErrors, setValidationErrors] = useState<string[]>([]);
  const [error, setError] = useState<DisplayError | null>(null);
  const [errorPrefix, setErrorPrefix] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  function update(field: Field, value: string) {
    setValues((prev) => {
      const next = { ...prev, [field]: value };
      if (!rectEdited && (field === 'width' || field === 'height')) {
        const width = parseWholeNumber(next.width);
        const height = parseWholeNumber(next.height);
        if (width && height) Object.assign(next, rectFields(width, height));
      }
      return next;
    });
    if (field === 'x' || field === 'y' || field === 'w' || field === 'h') setRectEdited(true);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setCreated(null);
    const result = validateProjectForm(values);
    if (!result.ok) {
      setValidationErrors(result.errors);
      return;
    }
    setValidationErrors([]);
    const form = result.value;
    setSubmitting(true);
    let project: ProjectSummary | null = null;
    try {
      const createdData = await api.request<CreateProjectData>(CREATE_PROJECT_MUTATION, {
        input: { name: form.name, width: form.width, height: form.height },
      });
      project = createdData.createProject.project;
      await api.request<AddRegionData>(ADD_REGION_MUTATION, {
        input: {
          projectId: project.id,
          points: rectPoints(form.rect),
          prompt: form.prompt,
          ...(form.negativePrompt ? { negativePrompt: form.negativePrompt } : {}),
        },
      });
      setCreated(`Created “${project.name}” with one region.`);
      setValues((prev) => ({ ...prev, name: '' }));
      onCreated(project);
    } catch (err) {
      if (isUnauthenticated(err)) {
        onUnauthenticated(err);
        return;
      }
      setErrorPrefix(
        project ? `Project “${project.name}” was created, but adding its region failed:` : undefined,
      );
      setError(toDisplayError(err));
      if (project) onCreated(project);
    } finally {
      setSubmitting(false);
    }
  }

  const input = (field: Field, label: string, props: { inputMode?: 'numeric'; required?: boolean } = {}) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={field}
        data-testid={`create-${field}`}
        value={values[field]}
        onChange={(e) => update(field, e.target.value)}
        {...props}
      />
    </label>
  );

  return (
    <section className="card">
      <h2>New project</h2>
      <form className="create-form" onSubmit={onSubmit} noValidate>
        {input('name', 'Name', { required: true })}
        <div className="row">
          {input('width', 'Width', { inputMode: 'numeric' })}
          {input('height', 'Height', { inputMode: 'numeric' })}
        </div>
        <fieldset>
          <legend>Region (rectangle, pixels)</legend>
          <div className="row">
            {input('x', 'x', { inputMode: 'numeric' })}
            {input('y', 'y', { inputMode: 'numeric' })}
            {input('w', 'w', { inputMode: 'numeric' })}
            {input('h', 'h', { inputMode: 'numeric' })}
          </div>
        </fieldset>
        <label className="field">
          <span>Prompt</span>
          <textarea
            name="prompt"
            data-testid="create-prompt"
            rows={2}
            value={values.prompt}
            onChange={(e) => update('prompt', e.target.value)}
          />
        </label>
        <label className="field">
          <span>Negative prompt (optional)</span>
          <textarea
            name="negativePrompt"
            data-testid="create-negativePrompt"
            rows={2}
            value={values.negativePrompt}
            onChange={(e) => update('negativePrompt', e.target.value)}
          />
        </label>
        {validationErrors.length > 0 ? (
          <ul className="error" role="alert" data-testid="create-validation-errors">
            {validationErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        ) : null}
        <ErrorMessage
          error={error}
          testId="create-project-error"
          {...(errorPrefix ? { prefix: errorPrefix } : {})}
        />
        {created ? (
          <p className="success" data-testid="create-project-success">
            {created}
          </p>
        ) : null}
        <button type="submit" data-testid="create-project-button" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create project'}
        </button>
      </form>
    </section>
  );
}
