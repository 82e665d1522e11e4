'use client';

import Link from 'next/link';
import { type FormEvent, useId, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import type { ResultOf } from '../../lib/graphql';
import { projectPath } from '../../lib/paths';
import {
  DeleteProjectMutation,
  type ProjectSummaryFields,
  RenameProjectMutation,
} from '../../lib/projects/project-documents';
import { apiFieldErrors, validateProjectName } from '../../lib/projects/project-forms';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import { FieldError } from './FieldError';

type Project = ResultOf<typeof ProjectSummaryFields>;
type Mode = 'view' | 'rename' | 'confirm-delete';

/** One project: a link to its workspace, inline rename, and delete behind an explicit confirmation. */
export function ProjectRow({
  project,
  onRenamed,
  onDeleted,
}: {
  project: Project;
  onRenamed: () => void;
  onDeleted: () => void;
}) {
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(project.name);
  const [nameError, setNameError] = useState<string | undefined>();
  const [failure, setFailure] = useState<DisplayError | null>(null);
  const [busy, setBusy] = useState(false);
  const toSignIn = useSignInRedirect();
  const id = useId();

  function fail(error: unknown) {
    if (toSignIn(error)) return;
    const fields = apiFieldErrors(error);
    if (fields?.name) setNameError(fields.name);
    else setFailure(toDisplayError(error));
  }

  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    const problem = validateProjectName(name);
    setNameError(problem ?? undefined);
    if (problem) return;
    setBusy(true);
    try {
      await gqlRequest(RenameProjectMutation, { input: { id: project.id, name: name.trim() } });
      setMode('view');
      onRenamed();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setFailure(null);
    setBusy(true);
    try {
      await gqlRequest(DeleteProjectMutation, { input: { id: project.id } });
      onDeleted();
    } catch (error) {
      fail(error);
      setBusy(false);
    }
  }

  const cancel = () => {
    setMode('view');
    setName(project.name);
    setNameError(undefined);
    setFailure(null);
  };

  return (
    <li className="project-row" data-project-id={project.id}>
      {mode === 'rename' ? (
        <form className="rename-form" onSubmit={rename} noValidate>
          <div className="field">
            <label htmlFor={`${id}-name`}>New name</label>
            <input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') cancel();
              }}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? `${id}-name-error` : undefined}
              // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to rename.
              autoFocus
            />
            <FieldError id={`${id}-name-error`} message={nameError} />
          </div>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="project-row-main">
          <Link href={projectPath(project.id)} className="project-link">
            {project.name}
          </Link>
          <span className="muted small">
            {project.width} × {project.height} px · created{' '}
            <time dateTime={project.createdAt}>{new Date(project.createdAt).toLocaleDateString()}</time>
          </span>
        </div>
      )}

      {mode === 'view' ? (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Rename ${project.name}`}
            onClick={() => setMode('rename')}
          >
            Rename
          </button>
          <button
            type="button"
            className="danger"
            aria-label={`Delete ${project.name}`}
            onClick={() => setMode('confirm-delete')}
          >
            Delete
          </button>
        </div>
      ) : null}

      {mode === 'confirm-delete' ? (
        <div className="confirm" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`}>
            Delete “{project.name}” with all its regions, references and runs? This cannot be undone.
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>
              {busy ? 'Deleting…' : 'Delete for good'}
            </button>
            <button type="button" className="secondary" onClick={cancel} disabled={busy}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}
      <ErrorMessage error={failure} />
    </li>
  );
}
