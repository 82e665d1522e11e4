import { GraphQLRequestError } from '../graphql-client';
import type { CreateWebhookInput, UpdateWebhookInput, WebhookAttempt, WebhookEndpoint } from './webhook-api';

export type WebhookEventType = CreateWebhookInput['eventTypes'][number];

/** Every event a receiver can subscribe to, with the name it carries in the webhook payload. */
export const WEBHOOK_EVENTS: readonly { type: WebhookEventType; label: string }[] = [
  { type: 'RUN_STARTED', label: 'run.started' },
  { type: 'RUN_PROGRESS', label: 'run.progress' },
  { type: 'RUN_ITERATION', label: 'run.iteration' },
  { type: 'RUN_COMPLETED', label: 'run.completed' },
  { type: 'RUN_FAILED', label: 'run.failed' },
  { type: 'RUN_CANCELLED', label: 'run.cancelled' },
];

/** What a receiver usually wants: the outcome of each run, without the chatty progress events. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = [
  'RUN_COMPLETED',
  'RUN_FAILED',
  'RUN_CANCELLED',
];

export function eventLabel(type: WebhookEventType): string {
  return WEBHOOK_EVENTS.find((event) => event.type === type)?.label ?? type;
}

/** Adds or drops one event type, keeping the rest as they were. */
export function toggleEvent(
  current: readonly WebhookEventType[],
  type: WebhookEventType,
  on: boolean,
): readonly WebhookEventType[] {
  const rest = current.filter((t) => t !== type);
  return on ? [...rest, type] : rest;
}

export interface WebhookFormValues {
  url: string;
  description: string;
  eventTypes: readonly WebhookEventType[];
}

export type WebhookFormErrors = Partial<Record<'url' | 'eventTypes', string>>;

export type WebhookFormResult =
  | { ok: true; input: CreateWebhookInput }
  | { ok: false; errors: WebhookFormErrors };

/**
 * Checks what the browser can know before sending: an absolute http(s) URL and at least one event.
 * Whether the host is allowed (private addresses) only the API can say.
 */
export function validateWebhookForm(values: WebhookFormValues): WebhookFormResult {
  const errors: WebhookFormErrors = {};
  const url = values.url.trim();
  if (!url) errors.url = 'Enter the URL that receives the events.';
  else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    errors.url = 'Enter an absolute http:// or https:// URL.';
  }
  if (values.eventTypes.length === 0) errors.eventTypes = 'Choose at least one event.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const description = values.description.trim();
  // Keep the payload in the order the checkboxes show, whatever order they were ticked in.
  const eventTypes = WEBHOOK_EVENTS.map((e) => e.type).filter((t) => values.eventTypes.includes(t));
  return { ok: true, input: { url, eventTypes, ...(description ? { description } : {}) } };
}

export type WebhookEditResult =
  | { ok: true; patch: UpdateWebhookInput | null }
  | { ok: false; errors: WebhookFormErrors };

/**
 * Checks an edit of an endpoint's URL and events like a new endpoint, and sends only what changed:
 * a null patch means there is nothing to save.
 */
export function validateWebhookEdit(
  endpoint: Pick<WebhookEndpoint, 'id' | 'url' | 'eventTypes'>,
  values: Pick<WebhookFormValues, 'url' | 'eventTypes'>,
): WebhookEditResult {
  const checked = validateWebhookForm({ ...values, description: '' });
  if (!checked.ok) return checked;
  const { url, eventTypes } = checked.input;
  const patch: UpdateWebhookInput = { id: endpoint.id };
  if (url !== endpoint.url) patch.url = url;
  const before = WEBHOOK_EVENTS.map((e) => e.type).filter((t) => endpoint.eventTypes.includes(t));
  if (eventTypes.join() !== before.join()) patch.eventTypes = eventTypes;
  return { ok: true, patch: Object.keys(patch).length > 1 ? patch : null };
}

/**
 * The API's refusal of a field the form shows (the URL's host is private, no events), to show next to that
 * field; null for any other error, which the form shows as a whole.
 */
export function apiFieldErrors(error: unknown): WebhookFormErrors | null {
  if (!(error instanceof GraphQLRequestError) || error.code !== 'BAD_USER_INPUT') return null;
  const errors: WebhookFormErrors = {};
  for (const entry of error.errors) {
    const field = entry.extensions.field;
    if (field === 'url' || field === 'eventTypes') errors[field] ??= entry.message;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** An attempt's outcome in a few words: the receiver's status, or why none came. */
export function attemptOutcome(attempt: Pick<WebhookAttempt, 'statusCode' | 'error'>): string {
  if (attempt.statusCode !== null && attempt.statusCode !== undefined) return `HTTP ${attempt.statusCode}`;
  return attempt.error ? 'No answer' : 'No status';
}
