import { describe, expect, it } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import {
  apiFieldErrors,
  attemptOutcome,
  eventLabel,
  toggleEvent,
  validateWebhookEdit,
  validateWebhookForm,
} from '../lib/settings/webhook-form';

describe('validateWebhookForm', () => {
  it('trims the URL and description and keeps the events in display order', () => {
    expect(
      validateWebhookForm({
        url: '  https://hooks.example.com/pakati ',
        description: ' CI ',
        eventTypes: ['RUN_FAILED', 'RUN_STARTED'],
      }),
    ).toEqual({
      ok: true,
      input: {
        url: 'https://hooks.example.com/pakati',
        description: 'CI',
        eventTypes: ['RUN_STARTED', 'RUN_FAILED'],
      },
    });
  });

  it('leaves out an empty description', () => {
    const result = validateWebhookForm({
      url: 'http://a.test',
      description: '  ',
      eventTypes: ['RUN_COMPLETED'],
    });
    expect(result).toEqual({ ok: true, input: { url: 'http://a.test', eventTypes: ['RUN_COMPLETED'] } });
  });

  it.each([
    ['', 'Enter the URL that receives the events.'],
    ['hooks.example.com', 'Enter an absolute http:// or https:// URL.'],
    ['ftp://hooks.example.com', 'Enter an absolute http:// or https:// URL.'],
  ])('refuses the URL %j', (url, message) => {
    expect(validateWebhookForm({ url, description: '', eventTypes: ['RUN_FAILED'] })).toEqual({
      ok: false,
      errors: { url: message },
    });
  });

  it('needs at least one event', () => {
    expect(validateWebhookForm({ url: 'https://a.test', description: '', eventTypes: [] })).toEqual({
      ok: false,
      errors: { eventTypes: 'Choose at least one event.' },
    });
  });
});

describe('webhook display helpers', () => {
  it('names events as the payload does', () => {
    expect(eventLabel('RUN_COMPLETED')).toBe('run.completed');
  });

  it('describes an attempt by its status, or says no answer came', () => {
    expect(attemptOutcome({ statusCode: 503, error: 'Service Unavailable' })).toBe('HTTP 503');
    expect(attemptOutcome({ statusCode: null, error: 'ECONNREFUSED' })).toBe('No answer');
    expect(attemptOutcome({ statusCode: null, error: null })).toBe('No status');
  });
});

describe('validateWebhookEdit', () => {
  const endpoint = {
    id: 'wh1',
    url: 'https://hooks.example.com/a',
    eventTypes: ['RUN_FAILED', 'RUN_COMPLETED'] as const,
  };
  const current = { id: endpoint.id, url: endpoint.url, eventTypes: [...endpoint.eventTypes] };

  it('sends only the fields that changed', () => {
    expect(
      validateWebhookEdit(current, { url: ' https://hooks.example.com/b ', eventTypes: current.eventTypes }),
    ).toEqual({ ok: true, patch: { id: 'wh1', url: 'https://hooks.example.com/b' } });
    expect(validateWebhookEdit(current, { url: current.url, eventTypes: ['RUN_STARTED'] })).toEqual({
      ok: true,
      patch: { id: 'wh1', eventTypes: ['RUN_STARTED'] },
    });
  });

  it('has nothing to send when the same events are ticked in another order', () => {
    expect(
      validateWebhookEdit(current, { url: current.url, eventTypes: ['RUN_COMPLETED', 'RUN_FAILED'] }),
    ).toEqual({ ok: true, patch: null });
  });

  it('checks the URL and the events as the add form does', () => {
    expect(validateWebhookEdit(current, { url: 'hooks', eventTypes: [] })).toEqual({
      ok: false,
      errors: {
        url: 'Enter an absolute http:// or https:// URL.',
        eventTypes: 'Choose at least one event.',
      },
    });
  });
});

describe('apiFieldErrors', () => {
  const refusal = (field: unknown, message: string, code = 'BAD_USER_INPUT') =>
    new GraphQLRequestError(code, message, {
      errors: [{ message, code, path: null, extensions: field === undefined ? {} : { field } }],
    });

  it('puts the API refusing the URL or the events next to that field', () => {
    expect(apiFieldErrors(refusal('url', 'private addresses are refused'))).toEqual({
      url: 'private addresses are refused',
    });
    expect(apiFieldErrors(refusal('eventTypes', 'eventTypes must name at least one'))).toEqual({
      eventTypes: 'eventTypes must name at least one',
    });
  });

  it('leaves other errors to the form as a whole', () => {
    expect(apiFieldErrors(refusal('description', 'too long'))).toBeNull();
    expect(apiFieldErrors(refusal(undefined, 'bad'))).toBeNull();
    expect(apiFieldErrors(refusal('url', 'gone', 'NOT_FOUND'))).toBeNull();
    expect(apiFieldErrors(new Error('offline'))).toBeNull();
  });
});

describe('toggleEvent', () => {
  it('adds an event once and drops it again', () => {
    expect(toggleEvent(['RUN_FAILED'], 'RUN_STARTED', true)).toEqual(['RUN_FAILED', 'RUN_STARTED']);
    expect(toggleEvent(['RUN_FAILED'], 'RUN_FAILED', true)).toEqual(['RUN_FAILED']);
    expect(toggleEvent(['RUN_FAILED', 'RUN_STARTED'], 'RUN_FAILED', false)).toEqual(['RUN_STARTED']);
  });
});
