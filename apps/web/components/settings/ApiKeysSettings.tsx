'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useCallback, useId, useState } from 'react';
import { SIGN_IN_PATH } from '../../lib/session';
import {
  apiKeyNameError,
  apiKeyState,
  maskedKey,
  revokeWarning,
  validateApiKeyName,
} from '../../lib/settings/api-key-form';
import { type ApiKeySummary, type ApiKeysApi, graphqlApiKeysApi } from '../../lib/settings/api-keys-api';
import { usePagedList } from '../../lib/use-paged-list';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { FieldError } from '../projects/FieldError';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import styles from './api-keys.module.css';

export const API_KEYS_PAGE_SIZE = 20;

const when = (iso: string) => new Date(iso).toLocaleString();

/** The new key, the only time anyone sees it, with a copy button. */
function NewKeyBox({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className={styles.newKey} aria-labelledby={`${id}-title`} data-testid="new-api-key">
      <h3 id={`${id}-title`}>New API key “{name}”</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Only a hash is stored; if you lose it,
        revoke it and create another.
      </p>
      <label htmlFor={`${id}-secret`}>API key</label>
      <div className={styles.secretRow}>
        <input
          id={`${id}-secret`}
          className={styles.secret}
          value={secret}
          readOnly
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      {copied === 'yes' ? (
        <p className="success-inline" role="status">
          Copied to the clipboard.
        </p>
      ) : null}
      {copied === 'failed' ? (
        <p className="error-inline" role="alert">
          The browser did not allow copying: select the key and copy it yourself.
        </p>
      ) : null}
      <button type="button" className="secondary" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}

function CreateApiKeyForm({
  api,
  onCreated,
}: {
  api: ApiKeysApi;
  onCreated: (created: { key: string; apiKey: ApiKeySummary }) => void;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [failure, setFailure] = useState<DisplayError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const toSignIn = useSignInRedirect();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    const invalid = validateApiKeyName(name);
    setNameError(invalid);
    if (invalid) return;
    setSubmitting(true);
    try {
      const created = await api.create(name.trim());
      setName('');
      onCreated(created);
    } catch (error) {
      if (toSignIn(error)) return;
      const fieldError = apiKeyNameError(error);
      if (fieldError) setNameError(fieldError);
      else setFailure(toDisplayError(error));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className={styles.create} onSubmit={onSubmit} noValidate aria-label="New API key">
      <div className="field">
        <label htmlFor={`${id}-name`}>Name of the new key</label>
        <input
          id={`${id}-name`}
          name="name"
          value={name}
          autoComplete="off"
          placeholder="CI deploys"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${id}-name-error` : undefined}
        />
        <FieldError id={`${id}-name-error`} message={nameError ?? undefined} />
      </div>
      <ErrorMessage error={failure} prefix="Could not create the key:" />
      <div className="actions">
        <button type="submit" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function ApiKeyRow({
  apiKey,
  api,
  onRevoked,
}: {
  apiKey: ApiKeySummary;
  api: ApiKeysApi;
  onRevoked: (key: ApiKeySummary) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const [failure, setFailure] = useState<DisplayError | null>(null);
  const toSignIn = useSignInRedirect();
  const state = apiKeyState(apiKey);

  async function revoke() {
    setRevoking(true);
    setFailure(null);
    try {
      onRevoked(await api.revoke(apiKey.id, apiKey.current));
    } catch (error) {
      if (toSignIn(error)) return;
      setFailure(toDisplayError(error));
      setRevoking(false);
    }
  }

  return (
    <li className={styles.row} data-testid="api-key" data-state={state}>
      <div className={styles.summary}>
        <strong>{apiKey.name}</strong> <code>{maskedKey(apiKey.prefix)}</code>{' '}
        {apiKey.current ? <span className={styles.badge}>this session</span> : null}
        <span className={`${styles.badge} ${state === 'revoked' ? styles.revoked : ''}`}>{state}</span>
        <div className="muted small">
          Created {when(apiKey.createdAt)} · Last used {apiKey.lastUsedAt ? when(apiKey.lastUsedAt) : 'never'}
          {apiKey.revokedAt ? ` · Revoked ${when(apiKey.revokedAt)}` : ''}
        </div>
      </div>
      {state === 'active' && !confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Revoke
        </button>
      ) : null}
      {state === 'active' && confirming ? (
        <div className={styles.confirm} role="alertdialog" aria-label={`Revoke ${apiKey.name}`}>
          <p>{revokeWarning(apiKey)}</p>
          <div className="actions">
            <button type="button" className="danger" onClick={revoke} disabled={revoking}>
              {revoking ? 'Revoking…' : apiKey.current ? 'Revoke and sign out' : 'Revoke key'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setConfirming(false);
                setFailure(null);
              }}
              disabled={revoking}
            >
              Cancel
            </button>
          </div>
          <ErrorMessage error={failure} prefix="Could not revoke the key:" />
        </div>
      ) : null}
    </li>
  );
}

/** The organization's API keys: list, create (the secret shown once), revoke with confirmation. */
export function ApiKeysSettings({ api = graphqlApiKeysApi }: { api?: ApiKeysApi }) {
  const id = useId();
  const router = useRouter();
  const toSignIn = useSignInRedirect();
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [signOutFailure, setSignOutFailure] = useState<DisplayError | null>(null);
  const fetchPage = useCallback(
    async (after: string | null) => {
      try {
        const page = await api.list(API_KEYS_PAGE_SIZE, after);
        return { items: page.keys, endCursor: page.endCursor, hasNextPage: page.hasNextPage };
      } catch (error) {
        // Signed out (e.g. this key revoked elsewhere): off to sign-in; the error shows until the page changes.
        toSignIn(error);
        throw error;
      }
    },
    [api, toSignIn],
  );
  const { items: keys, hasMore, loading, error, refresh, more } = usePagedList<ApiKeySummary>(fetchPage);

  async function onRevoked(key: ApiKeySummary) {
    if (!key.current) {
      refresh();
      return;
    }
    // The session cookie now holds a dead key: drop it rather than fail on the next request.
    try {
      await api.signOut();
      router.replace(SIGN_IN_PATH);
      router.refresh();
    } catch (e) {
      setSignOutFailure(toDisplayError(e));
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>API keys</h2>
        <button type="button" className="secondary" onClick={refresh} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">
        Programs call the API with <code>Authorization: Bearer &lt;key&gt;</code>. Every key acts for the
        whole organization.
      </p>
      {created ? (
        <NewKeyBox name={created.name} secret={created.key} onDone={() => setCreated(null)} />
      ) : null}
      <CreateApiKeyForm
        api={api}
        onCreated={({ key, apiKey }) => {
          setCreated({ key, name: apiKey.name });
          refresh();
        }}
      />
      <ErrorMessage error={error} testId="api-keys-error" />
      <ErrorMessage error={signOutFailure} prefix="The key is revoked, but signing out failed:" />
      {keys && keys.length === 0 ? <p className="muted">No API keys.</p> : null}
      {keys ? (
        <ul className={styles.list} data-testid="api-keys-list">
          {keys.map((key) => (
            <ApiKeyRow key={key.id} apiKey={key} api={api} onRevoked={onRevoked} />
          ))}
        </ul>
      ) : null}
      {hasMore ? (
        <button type="button" className="secondary" onClick={more} disabled={loading}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
