'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useId, useState } from 'react';
import { type SessionError, safeNextPath } from '../../lib/session';

/** Trades an API key for the session cookie; the key goes to the app's own route, never to storage. */
export function SignInForm({ devKey, next }: { devKey: string | null; next: string | null }) {
  const router = useRouter();
  const [apiKey, setApiKey] = useState(devKey ?? '');
  const [fieldError, setFieldError] = useState<SessionError | null>(null);
  const [formError, setFormError] = useState<SessionError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputId = useId();
  const errorId = useId();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFieldError(null);
    setFormError(null);
    if (!apiKey.trim()) {
      setFieldError({ code: 'BAD_USER_INPUT', field: 'apiKey', message: 'Enter your API key.' });
      return;
    }
    setSubmitting(true);
    try {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey }),
      });
      if (response.ok) {
        router.replace(safeNextPath(next));
        router.refresh();
        return;
      }
      const body = (await response.json().catch(() => null)) as { error?: SessionError } | null;
      const error = body?.error ?? {
        code: 'UPSTREAM_ERROR',
        message: `Sign-in failed (HTTP ${response.status}).`,
      };
      if (error.field === 'apiKey') setFieldError(error);
      else setFormError(error);
    } catch {
      setFormError({
        code: 'NETWORK_ERROR',
        message: 'The Pakati web app cannot be reached. Check your connection.',
      });
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="card sign-in" onSubmit={onSubmit} noValidate>
      <h1>Sign in</h1>
      <p className="muted">
        Use an API key of your organization. It is kept in a secure cookie for this site only.
      </p>
      <div className="field">
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          name="apiKey"
          type="password"
          autoComplete="current-password"
          spellCheck={false}
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? errorId : undefined}
          required
        />
        {fieldError ? (
          <p id={errorId} className="field-error" data-error-code={fieldError.code}>
            {fieldError.message} <code>{fieldError.code}</code>
          </p>
        ) : null}
        {devKey ? <p className="muted small">Filled in from the development key file.</p> : null}
      </div>
      {formError ? (
        <div className="error" role="alert" data-error-code={formError.code}>
          {formError.message} <code className="error-code">{formError.code}</code>
        </div>
      ) : null}
      <button type="submit" disabled={submitting}>
        {submitting ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}
