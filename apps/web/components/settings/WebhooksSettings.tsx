'use client';

import { useCallback, useEffect, useId, useState } from 'react';
import {
  type EndpointWithSecret,
  graphqlWebhooksApi,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhooksApi,
} from '../../lib/settings/webhook-api';
import {
  apiFieldErrors,
  attemptOutcome,
  DEFAULT_WEBHOOK_EVENTS,
  eventLabel,
  toggleEvent,
  validateWebhookEdit,
  validateWebhookForm,
  type WebhookEventType,
  type WebhookFormErrors,
} from '../../lib/settings/webhook-form';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import { WebhookEventsField, WebhookUrlField } from './WebhookEndpointFields';

/** A secret the API will never show again, with what it belongs to. */
interface ShownSecret {
  endpointId: string;
  url: string;
  secret: string;
  rotated: boolean;
}

/**
 * The organization's webhook endpoints: create, edit the URL and events, enable/disable, rotate the secret, delete,
 * and the delivery log.
 */
export function WebhooksSettings({ api = graphqlWebhooksApi }: { api?: WebhooksApi }) {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [reloads, setReloads] = useState(0);
  const toSignIn = useSignInRedirect();
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the explicit trigger to fetch again.
  useEffect(() => {
    let live = true;
    api
      .endpoints()
      .then((list) => {
        if (!live) return;
        setEndpoints(list);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live && !toSignIn(e)) setError(toDisplayError(e));
      });
    return () => {
      live = false;
    };
  }, [api, reloads, toSignIn]);

  const showSecret = (result: EndpointWithSecret, rotated: boolean) => {
    setSecret({ endpointId: result.endpoint.id, url: result.endpoint.url, secret: result.secret, rotated });
    reload();
  };

  return (
    <section className="card stack" aria-labelledby="webhooks-title">
      <div className="card-head">
        <h2 id="webhooks-title">Webhooks</h2>
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      <p className="muted small">
        Run events are POSTed to these URLs, signed per Standard Webhooks with the endpoint&apos;s secret.
      </p>
      {secret ? <SecretNotice secret={secret} onDismiss={() => setSecret(null)} /> : null}
      <CreateWebhookForm api={api} onCreated={(result) => showSecret(result, false)} />
      <ErrorMessage error={error} testId="webhooks-error" prefix="Could not load webhooks:" />
      {endpoints === null && !error ? <p className="muted">Loading webhooks…</p> : null}
      {endpoints?.length === 0 ? <p className="muted">No webhook endpoints yet.</p> : null}
      {endpoints && endpoints.length > 0 ? (
        <ul className="stack" aria-label="Webhook endpoints">
          {endpoints.map((endpoint) => (
            <EndpointRow
              key={endpoint.id}
              api={api}
              endpoint={endpoint}
              onChanged={reload}
              onRotated={(result) => showSecret(result, true)}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function SecretNotice({ secret, onDismiss }: { secret: ShownSecret; onDismiss: () => void }) {
  return (
    <div className="success" role="status" data-testid="webhook-secret">
      <p>
        {secret.rotated ? 'New signing secret' : 'Signing secret'} for <strong>{secret.url}</strong>. It is
        shown only this once: store it now to verify deliveries.
        {secret.rotated ? ' The previous secret keeps signing for a day next to it.' : ''}
      </p>
      <code>{secret.secret}</code>{' '}
      <button type="button" className="secondary" onClick={onDismiss}>
        I have stored it
      </button>
    </div>
  );
}

function CreateWebhookForm({
  api,
  onCreated,
}: {
  api: WebhooksApi;
  onCreated: (result: EndpointWithSecret) => void;
}) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<readonly WebhookEventType[]>(DEFAULT_WEBHOOK_EVENTS);
  const [errors, setErrors] = useState<WebhookFormErrors>({});
  const [error, setError] = useState<DisplayError | null>(null);
  const [busy, setBusy] = useState(false);
  const toSignIn = useSignInRedirect();

  const toggle = (type: WebhookEventType, on: boolean) =>
    setEventTypes((current) => toggleEvent(current, type, on));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const checked = validateWebhookForm({ url, description, eventTypes });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      onCreated(await api.create(checked.input));
      setUrl('');
      setDescription('');
      setEventTypes(DEFAULT_WEBHOOK_EVENTS);
    } catch (e) {
      if (!toSignIn(e)) setError(toDisplayError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Add an endpoint</h3>
      <WebhookUrlField id={id} value={url} error={errors.url} onChange={setUrl} />
      <label className="field">
        <span>Description (optional)</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <WebhookEventsField id={id} selected={eventTypes} error={errors.eventTypes} onToggle={toggle} />
      <ErrorMessage error={error} testId="webhook-create-error" prefix="Could not add the endpoint:" />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add endpoint'}
        </button>
      </div>
    </form>
  );
}

type RowMode = 'view' | 'edit' | 'confirm-delete';

function EndpointRow({
  api,
  endpoint,
  onChanged,
  onRotated,
}: {
  api: WebhooksApi;
  endpoint: WebhookEndpoint;
  onChanged: () => void;
  onRotated: (result: EndpointWithSecret) => void;
}) {
  const id = useId();
  const [mode, setMode] = useState<RowMode>('view');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const toSignIn = useSignInRedirect();
  const label = endpoint.description || endpoint.url;

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      if (!toSignIn(e)) setError(toDisplayError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card stack" aria-labelledby={`${id}-url`}>
      <div className="card-head">
        <div>
          <strong id={`${id}-url`}>{endpoint.url}</strong>{' '}
          <span className="badge">{endpoint.disabled ? 'Disabled' : 'Enabled'}</span>
          {endpoint.description ? <p className="muted small">{endpoint.description}</p> : null}
          <p className="muted small">
            {endpoint.eventTypes.map(eventLabel).join(', ')} · {endpoint.signingSecrets.length} live secret
            {endpoint.signingSecrets.length === 1 ? '' : 's'}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await api.update({ id: endpoint.id, disabled: !endpoint.disabled });
                onChanged();
              })
            }
          >
            {endpoint.disabled ? `Enable ${label}` : `Disable ${label}`}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => act(async () => onRotated(await api.rotateSecret(endpoint.id)))}
          >
            Rotate secret of {label}
          </button>
          <button
            type="button"
            className="secondary"
            aria-expanded={showDeliveries}
            onClick={() => setShowDeliveries((shown) => !shown)}
          >
            {showDeliveries ? 'Hide deliveries' : 'Deliveries'}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            aria-expanded={mode === 'edit'}
            onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')}
          >
            Edit {label}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => setMode('confirm-delete')}
          >
            Delete {label}
          </button>
        </div>
      </div>
      {mode === 'edit' ? (
        <EditWebhookForm
          api={api}
          endpoint={endpoint}
          onDone={(changed) => {
            setMode('view');
            if (changed) onChanged();
          }}
        />
      ) : null}
      {mode === 'confirm-delete' ? (
        <div className="confirm" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`}>
            Delete this endpoint? It stops receiving events and its delivery log goes.
          </p>
          <div className="actions">
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  await api.remove(endpoint.id);
                  setMode('view');
                  onChanged();
                })
              }
            >
              {busy ? 'Deleting…' : 'Delete for good'}
            </button>
            <button type="button" className="secondary" onClick={() => setMode('view')}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}
      <ErrorMessage error={error} prefix="Could not change the endpoint:" />
      {showDeliveries ? <DeliveryLog api={api} endpointId={endpoint.id} /> : null}
    </li>
  );
}

/** Changes an endpoint's URL and events in place; its secrets and delivery log stay. */
function EditWebhookForm({
  api,
  endpoint,
  onDone,
}: {
  api: WebhooksApi;
  endpoint: WebhookEndpoint;
  /** Called with whether anything was saved. */
  onDone: (changed: boolean) => void;
}) {
  const id = useId();
  const [url, setUrl] = useState(endpoint.url);
  const [eventTypes, setEventTypes] = useState<readonly WebhookEventType[]>(endpoint.eventTypes);
  const [errors, setErrors] = useState<WebhookFormErrors>({});
  const [error, setError] = useState<DisplayError | null>(null);
  const [busy, setBusy] = useState(false);
  const toSignIn = useSignInRedirect();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const checked = validateWebhookEdit(endpoint, { url, eventTypes });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setError(null);
    if (!checked.patch) {
      onDone(false);
      return;
    }
    setBusy(true);
    try {
      await api.update(checked.patch);
      onDone(true);
    } catch (e) {
      if (toSignIn(e)) return;
      const fields = apiFieldErrors(e);
      if (fields) setErrors(fields);
      else setError(toDisplayError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={`Edit ${endpoint.url}`}>
      <WebhookUrlField id={id} value={url} error={errors.url} onChange={setUrl} />
      <WebhookEventsField
        id={id}
        selected={eventTypes}
        error={errors.eventTypes}
        onToggle={(type, on) => setEventTypes((current) => toggleEvent(current, type, on))}
      />
      <ErrorMessage error={error} testId="webhook-edit-error" prefix="Could not save the endpoint:" />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeliveryLog({ api, endpointId }: { api: WebhooksApi; endpointId: string }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [redelivered, setRedelivered] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const toSignIn = useSignInRedirect();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the explicit trigger to fetch again.
  useEffect(() => {
    let live = true;
    api
      .deliveries(endpointId)
      .then((list) => {
        if (!live) return;
        setDeliveries(list);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live && !toSignIn(e)) setError(toDisplayError(e));
      });
    return () => {
      live = false;
    };
  }, [api, endpointId, reloads, toSignIn]);

  const redeliver = async (deliveryId: string) => {
    setError(null);
    try {
      await api.redeliver(deliveryId);
      setRedelivered(deliveryId);
      setReloads((n) => n + 1);
    } catch (e) {
      if (!toSignIn(e)) setError(toDisplayError(e));
    }
  };

  return (
    <section className="stack" aria-label="Deliveries">
      <ErrorMessage error={error} testId="webhook-deliveries-error" prefix="Deliveries:" />
      {deliveries === null && !error ? <p className="muted">Loading deliveries…</p> : null}
      {deliveries?.length === 0 ? <p className="muted">Nothing delivered yet.</p> : null}
      {deliveries && deliveries.length > 0 ? (
        <ol className="log">
          {deliveries.map((delivery) => (
            <li key={delivery.id} data-testid="webhook-delivery">
              <div className="row">
                <code>{eventLabel(delivery.eventType)}</code>
                <span className={`status status-${delivery.status.toLowerCase()}`}>{delivery.status}</span>
                <time dateTime={delivery.createdAt}>{new Date(delivery.createdAt).toLocaleString()}</time>
                {delivery.status === 'PENDING' ? (
                  delivery.nextAttemptAt ? (
                    <span className="muted small">
                      next attempt {new Date(delivery.nextAttemptAt).toLocaleTimeString()}
                    </span>
                  ) : null
                ) : (
                  <button type="button" className="secondary" onClick={() => redeliver(delivery.id)}>
                    Redeliver
                  </button>
                )}
                {redelivered === delivery.id ? <span className="success-inline">Queued again</span> : null}
              </div>
              <table className="data-table" aria-label={`Attempts of ${eventLabel(delivery.eventType)}`}>
                <thead>
                  <tr>
                    <th scope="col">Attempt</th>
                    <th scope="col">Status</th>
                    <th scope="col">Error</th>
                    <th scope="col">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {delivery.attempts.map((attempt) => (
                    <tr key={attempt.attempt}>
                      <td>#{attempt.attempt}</td>
                      <td>{attemptOutcome(attempt)}</td>
                      <td>{attempt.error ?? ''}</td>
                      <td>{attempt.durationMs} ms</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
