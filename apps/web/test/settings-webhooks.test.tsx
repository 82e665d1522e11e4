// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import type { WebhookDelivery, WebhookEndpoint, WebhooksApi } from '../lib/settings/webhook-api';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/settings' }));

const { WebhooksSettings } = await import('../components/settings/WebhooksSettings');

const endpoint = (patch: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: 'wh1',
  url: 'https://hooks.example.com/a',
  description: null,
  disabled: false,
  eventTypes: ['RUN_COMPLETED', 'RUN_FAILED'],
  createdAt: '2026-01-01T00:00:00Z',
  signingSecrets: [{ createdAt: '2026-01-01T00:00:00Z', expiresAt: null }],
  ...patch,
});

const delivery = (patch: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id: 'd1',
  eventType: 'RUN_FAILED',
  status: 'FAILED',
  createdAt: '2026-01-01T00:00:00Z',
  deliveredAt: null,
  nextAttemptAt: null,
  lastStatusCode: 500,
  lastError: 'Internal Server Error',
  runId: 'r1',
  attempts: [
    {
      attempt: 1,
      at: '2026-01-01T00:00:00Z',
      statusCode: 500,
      error: 'Internal Server Error',
      durationMs: 120,
    },
    { attempt: 2, at: '2026-01-01T00:01:00Z', statusCode: null, error: 'ECONNREFUSED', durationMs: 3 },
  ],
  ...patch,
});

/** A scripted server holding a list of endpoints that the mutations change. */
function fakeApi(initial: WebhookEndpoint[] = [endpoint()]) {
  let endpoints = initial;
  const api = {
    endpoints: vi.fn<WebhooksApi['endpoints']>(async () => endpoints),
    deliveries: vi.fn<WebhooksApi['deliveries']>(async () => [
      delivery(),
      delivery({ id: 'd2', status: 'PENDING', attempts: [] }),
    ]),
    create: vi.fn<WebhooksApi['create']>(async (input) => {
      const created = endpoint({
        id: 'wh2',
        url: input.url,
        eventTypes: input.eventTypes,
        description: input.description ?? null,
      });
      endpoints = [created, ...endpoints];
      return { endpoint: created, secret: 'whsec_created' };
    }),
    update: vi.fn<WebhooksApi['update']>(async (input) => {
      endpoints = endpoints.map((e) =>
        e.id === input.id
          ? {
              ...e,
              disabled: input.disabled ?? e.disabled,
              url: input.url ?? e.url,
              eventTypes: input.eventTypes ?? e.eventTypes,
            }
          : e,
      );
      return endpoints.find((e) => e.id === input.id)!;
    }),
    remove: vi.fn<WebhooksApi['remove']>(async (id) => {
      endpoints = endpoints.filter((e) => e.id !== id);
    }),
    rotateSecret: vi.fn<WebhooksApi['rotateSecret']>(async (id) => ({
      endpoint: endpoints.find((e) => e.id === id)!,
      secret: 'whsec_rotated',
    })),
    redeliver: vi.fn<WebhooksApi['redeliver']>(async () => undefined),
  };
  return api;
}

afterEach(() => {
  cleanup();
  router.replace.mockReset();
});

describe('WebhooksSettings', () => {
  it('lists the endpoints with their events', async () => {
    render(<WebhooksSettings api={fakeApi()} />);
    const list = await screen.findByRole('list', { name: 'Webhook endpoints' });
    expect(within(list).getByText('https://hooks.example.com/a')).toBeTruthy();
    expect(within(list).getByText(/run\.completed, run\.failed/)).toBeTruthy();
    expect(within(list).getByText('Enabled')).toBeTruthy();
  });

  it('checks the form, creates the endpoint and shows its secret once', async () => {
    const api = fakeApi([]);
    render(<WebhooksSettings api={api} />);
    await screen.findByText('No webhook endpoints yet.');
    const url = screen.getByLabelText('URL');
    await userEvent.type(url, 'not a url');
    await userEvent.click(screen.getByRole('checkbox', { name: 'run.started' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(api.create).not.toHaveBeenCalled();

    await userEvent.clear(url);
    await userEvent.type(url, 'https://hooks.example.com/new');
    await userEvent.type(screen.getByLabelText('Description (optional)'), 'CI');
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(api.create).toHaveBeenCalledWith({
      url: 'https://hooks.example.com/new',
      description: 'CI',
      eventTypes: ['RUN_STARTED', 'RUN_COMPLETED', 'RUN_FAILED', 'RUN_CANCELLED'],
    });
    const notice = await screen.findByTestId('webhook-secret');
    expect(within(notice).getByText('whsec_created')).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Webhook endpoints' });
    expect(within(list).getByText('https://hooks.example.com/new')).toBeTruthy();
    await userEvent.click(within(notice).getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText('whsec_created')).toBeNull();
  });

  it('shows the API refusing a URL', async () => {
    const api = fakeApi([]);
    api.create.mockRejectedValueOnce(
      new GraphQLRequestError('BAD_USER_INPUT', 'private addresses are refused'),
    );
    render(<WebhooksSettings api={api} />);
    await userEvent.type(await screen.findByLabelText('URL'), 'http://10.0.0.1/hook');
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const error = await screen.findByTestId('webhook-create-error');
    expect(error.textContent).toContain('private addresses are refused');
    expect(screen.queryByTestId('webhook-secret')).toBeNull();
  });

  it('disables, rotates the secret, and deletes only after confirmation', async () => {
    const api = fakeApi();
    render(<WebhooksSettings api={api} />);
    const label = 'https://hooks.example.com/a';
    await userEvent.click(await screen.findByRole('button', { name: `Disable ${label}` }));
    expect(api.update).toHaveBeenCalledWith({ id: 'wh1', disabled: true });
    expect(await screen.findByRole('button', { name: `Enable ${label}` })).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: `Rotate secret of ${label}` }));
    expect((await screen.findByTestId('webhook-secret')).textContent).toContain('whsec_rotated');

    await userEvent.click(screen.getByRole('button', { name: `Delete ${label}` }));
    expect(api.remove).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    await userEvent.click(screen.getByRole('button', { name: `Delete ${label}` }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    expect(api.remove).toHaveBeenCalledWith('wh1');
    expect(await screen.findByText('No webhook endpoints yet.')).toBeTruthy();
  });

  it("edits an endpoint's URL and events, checking them next to each field first", async () => {
    const api = fakeApi();
    render(<WebhooksSettings api={api} />);
    const label = 'https://hooks.example.com/a';
    await userEvent.click(await screen.findByRole('button', { name: `Edit ${label}` }));
    const form = screen.getByRole('form', { name: `Edit ${label}` });
    const url = within(form).getByLabelText('URL');
    expect((url as HTMLInputElement).value).toBe(label);
    expect((within(form).getByRole('checkbox', { name: 'run.failed' }) as HTMLInputElement).checked).toBe(
      true,
    );

    await userEvent.clear(url);
    await userEvent.type(url, 'hooks.example.com/b');
    await userEvent.click(within(form).getByRole('checkbox', { name: 'run.completed' }));
    await userEvent.click(within(form).getByRole('checkbox', { name: 'run.failed' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(api.update).not.toHaveBeenCalled();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(url.getAttribute('aria-describedby')!)!.textContent).toBe(
      'Enter an absolute http:// or https:// URL.',
    );
    expect(within(form).getByText('Choose at least one event.')).toBeTruthy();

    await userEvent.clear(url);
    await userEvent.type(url, 'https://hooks.example.com/b');
    await userEvent.click(within(form).getByRole('checkbox', { name: 'run.started' }));
    await userEvent.click(within(form).getByRole('checkbox', { name: 'run.failed' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(api.update).toHaveBeenCalledWith({
      id: 'wh1',
      url: 'https://hooks.example.com/b',
      eventTypes: ['RUN_STARTED', 'RUN_FAILED'],
    });
    const list = await screen.findByRole('list', { name: 'Webhook endpoints' });
    expect(await within(list).findByText('https://hooks.example.com/b')).toBeTruthy();
    expect(within(list).getByText(/run\.started, run\.failed/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: /^Edit / })).toBeNull();
  });

  it('shows the API refusing an edited URL next to the field and keeps the form open', async () => {
    const api = fakeApi();
    const message = 'private addresses are refused';
    api.update.mockRejectedValueOnce(
      new GraphQLRequestError('BAD_USER_INPUT', message, {
        errors: [{ message, code: 'BAD_USER_INPUT', path: null, extensions: { field: 'url' } }],
      }),
    );
    render(<WebhooksSettings api={api} />);
    const label = 'https://hooks.example.com/a';
    await userEvent.click(await screen.findByRole('button', { name: `Edit ${label}` }));
    const form = screen.getByRole('form', { name: `Edit ${label}` });
    const url = within(form).getByLabelText('URL');
    await userEvent.clear(url);
    await userEvent.type(url, 'http://10.0.0.1/hook');
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByText(message)).toBeTruthy();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('webhook-edit-error')).toBeNull();

    // Other refusals are shown for the form as a whole; Cancel leaves the endpoint as it was.
    api.update.mockRejectedValueOnce(new GraphQLRequestError('NOT_FOUND', 'webhook endpoint not found'));
    await userEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await screen.findByTestId('webhook-edit-error')).textContent).toContain('not found');
    await userEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form', { name: /^Edit / })).toBeNull();
    expect(screen.getByText(label)).toBeTruthy();
  });

  it('shows deliveries with every attempt and redelivers a finished one', async () => {
    const api = fakeApi();
    render(<WebhooksSettings api={api} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const [failed, pending] = await screen.findAllByTestId('webhook-delivery');
    expect(api.deliveries).toHaveBeenCalledWith('wh1');
    const attempts = within(failed!).getByRole('table');
    const rows = within(attempts)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    expect(rows).toEqual(['#1HTTP 500Internal Server Error120 ms', '#2No answerECONNREFUSED3 ms']);
    // A PENDING delivery is still being retried: nothing to redeliver yet.
    expect(within(pending!).queryByRole('button', { name: 'Redeliver' })).toBeNull();
    await userEvent.click(within(failed!).getByRole('button', { name: 'Redeliver' }));
    expect(api.redeliver).toHaveBeenCalledWith('d1');
    await waitFor(() => expect(api.deliveries).toHaveBeenCalledTimes(2));
  });

  it('sends a signed-out visitor to sign-in', async () => {
    const api = fakeApi();
    api.endpoints.mockRejectedValue(new GraphQLRequestError('UNAUTHENTICATED', 'no key'));
    render(<WebhooksSettings api={api} />);
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fsettings'));
    expect(screen.queryByTestId('webhooks-error')).toBeNull();
  });
});
