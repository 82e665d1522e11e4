import { describe, expect, it } from 'vitest';
import { attemptOutcome, eventLabel, validateWebhookForm } from '../lib/settings/webhook-form';

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
