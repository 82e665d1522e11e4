// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import type { ApiKeySummary, ApiKeysApi } from '../lib/settings/api-keys-api';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/settings' }));

const { ApiKeysSettings } = await import('../components/settings/ApiKeysSettings');

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const SECRET = 'pk_newnewnew000_s3cr3ts3cr3ts3cr3ts3cr3ts3cr3ts3cr3ts3cr3t00';

function key(name: string, extra: Partial<ApiKeySummary> = {}): ApiKeySummary {
  return {
    id: `id-${name}`,
    name,
    prefix: `${name}000000000000`.slice(0, 12),
    createdAt: '2026-01-02T10:00:00Z',
    lastUsedAt: null,
    revokedAt: null,
    current: false,
    ...extra,
  };
}

/** An in-memory server behind the ApiKeysApi the component is given. */
function fakeApi(initial: ApiKeySummary[]) {
  let keys = [...initial];
  const api = {
    list: vi.fn<ApiKeysApi['list']>(async () => ({ keys: [...keys], hasNextPage: false, endCursor: null })),
    create: vi.fn<ApiKeysApi['create']>(async (name) => {
      const apiKey = key(name, { id: 'id-new', prefix: 'newnewnew000' });
      keys = [apiKey, ...keys];
      return { key: SECRET, apiKey };
    }),
    revoke: vi.fn<ApiKeysApi['revoke']>(async (id) => {
      keys = keys.map((k) => (k.id === id ? { ...k, revokedAt: '2026-01-03T10:00:00Z' } : k));
      return keys.find((k) => k.id === id)!;
    }),
    signOut: vi.fn<ApiKeysApi['signOut']>(async () => {}),
  } satisfies ApiKeysApi;
  return api;
}

const rows = () => within(screen.getByTestId('api-keys-list')).getAllByTestId('api-key');
const row = (name: string) => rows().find((r) => r.textContent?.includes(name))!;

beforeEach(() => {
  router.replace.mockReset();
  router.refresh.mockReset();
});
afterEach(cleanup);

describe('ApiKeysSettings', () => {
  it('lists keys by prefix only, marking revoked ones and the key of this session', async () => {
    const api = fakeApi([
      key('web', { current: true, lastUsedAt: '2026-01-02T11:00:00Z' }),
      key('old', { revokedAt: '2026-01-02T12:00:00Z' }),
    ]);
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(row('web').textContent).toContain('pk_web000000000_…');
    expect(row('web').textContent).toContain('this session');
    expect(row('web').getAttribute('data-state')).toBe('active');
    expect(row('old').getAttribute('data-state')).toBe('revoked');
    expect(within(row('old')).queryByRole('button', { name: 'Revoke' })).toBeNull();
  });

  it('creates a key and shows the secret once, copyable and labelled, until dismissed', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const api = fakeApi([key('web', { current: true })]);
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.type(screen.getByLabelText('Name of the new key'), '  CI deploys ');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(api.create).toHaveBeenCalledWith('CI deploys');

    const box = await screen.findByTestId('new-api-key');
    expect(box.textContent).toContain('it will not be shown again');
    expect((within(box).getByLabelText('API key') as HTMLInputElement).value).toBe(SECRET);
    await user.click(within(box).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(within(box).getByRole('status').textContent).toContain('Copied');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId('api-keys-list').textContent).not.toContain(SECRET);

    await user.click(within(box).getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByTestId('new-api-key')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('puts a blank name and the API refusing a name next to the name field', async () => {
    const user = userEvent.setup();
    const api = fakeApi([]);
    api.create.mockRejectedValueOnce(
      new GraphQLRequestError('BAD_USER_INPUT', 'refused', {
        errors: [
          {
            message: 'API key names are 1-100 characters',
            code: 'BAD_USER_INPUT',
            path: null,
            extensions: { field: 'name' },
          },
        ],
      }),
    );
    render(<ApiKeysSettings api={api} />);
    await screen.findByText('No API keys.');
    const name = screen.getByLabelText('Name of the new key');

    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toMatch(/name/);
    expect(api.create).not.toHaveBeenCalled();

    await user.type(name, 'ok');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await waitFor(() =>
      expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toBe(
        'API key names are 1-100 characters (BAD_USER_INPUT)',
      ),
    );
    expect(screen.queryByTestId('new-api-key')).toBeNull();
  });

  it('revokes a key only after confirmation, and cancelling changes nothing', async () => {
    const user = userEvent.setup();
    const api = fakeApi([key('web', { current: true }), key('ci')]);
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(rows()).toHaveLength(2));

    await user.click(within(row('ci')).getByRole('button', { name: 'Revoke' }));
    await user.click(within(row('ci')).getByRole('button', { name: 'Cancel' }));
    expect(api.revoke).not.toHaveBeenCalled();

    await user.click(within(row('ci')).getByRole('button', { name: 'Revoke' }));
    expect(within(row('ci')).getByRole('alertdialog').textContent).toContain('stops working');
    await user.click(within(row('ci')).getByRole('button', { name: 'Revoke key' }));
    expect(api.revoke).toHaveBeenCalledWith('id-ci', false);
    await waitFor(() => expect(row('ci').getAttribute('data-state')).toBe('revoked'));
    expect(api.signOut).not.toHaveBeenCalled();
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('revoking the key of this session warns, confirms it to the API and signs out', async () => {
    const user = userEvent.setup();
    const api = fakeApi([key('web', { current: true })]);
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(within(row('web')).getByRole('button', { name: 'Revoke' }));
    expect(within(row('web')).getByRole('alertdialog').textContent).toContain('signs you out');
    await user.click(within(row('web')).getByRole('button', { name: 'Revoke and sign out' }));
    expect(api.revoke).toHaveBeenCalledWith('id-web', true);
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in'));
    expect(api.signOut).toHaveBeenCalled();
  });

  it('shows a failed revoke inside its confirmation with the code', async () => {
    const user = userEvent.setup();
    const api = fakeApi([key('ci')]);
    api.revoke.mockRejectedValueOnce(new GraphQLRequestError('NOT_FOUND', 'API key not found'));
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(within(row('ci')).getByRole('button', { name: 'Revoke' }));
    await user.click(within(row('ci')).getByRole('button', { name: 'Revoke key' }));
    const alert = await within(row('ci')).findByRole('alert');
    expect(alert.getAttribute('data-error-code')).toBe('NOT_FOUND');
    expect(row('ci').getAttribute('data-state')).toBe('active');
  });

  it('sends a signed-out visitor to sign-in', async () => {
    const api = fakeApi([]);
    api.list.mockRejectedValueOnce(new GraphQLRequestError('UNAUTHENTICATED', 'no session', { status: 401 }));
    render(<ApiKeysSettings api={api} />);
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fsettings'));
  });
});
