'use client';

import { WEBHOOK_EVENTS, type WebhookEventType } from '../../lib/settings/webhook-form';

/** The URL input of the add and edit forms, with its error right under it. */
export function WebhookUrlField({
  id,
  value,
  error,
  onChange,
}: {
  /** Prefix for the error's id, unique per form. */
  id: string;
  value: string;
  error: string | undefined;
  onChange: (url: string) => void;
}) {
  return (
    <label className="field">
      <span>URL</span>
      <input
        type="url"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="https://example.com/pakati-hook"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-url-error` : undefined}
      />
      {error ? (
        <span id={`${id}-url-error`} className="field-error">
          {error}
        </span>
      ) : null}
    </label>
  );
}

/** One checkbox per event a receiver can subscribe to, with the error right under them. */
export function WebhookEventsField({
  id,
  selected,
  error,
  onToggle,
}: {
  id: string;
  selected: readonly WebhookEventType[];
  error: string | undefined;
  onToggle: (type: WebhookEventType, on: boolean) => void;
}) {
  return (
    <fieldset aria-describedby={error ? `${id}-events-error` : undefined}>
      <legend>Events</legend>
      {WEBHOOK_EVENTS.map((event) => (
        <label key={event.type} className="row">
          <input
            type="checkbox"
            checked={selected.includes(event.type)}
            onChange={(e) => onToggle(event.type, e.target.checked)}
          />
          <code>{event.label}</code>
        </label>
      ))}
      {error ? (
        <span id={`${id}-events-error`} className="field-error">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
