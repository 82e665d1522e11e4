// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import { ViewerQuery } from '../lib/viewer';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/projects' }));
const gqlRequest = vi.fn();
vi.mock('../lib/api', () => ({ gqlRequest: (...args: unknown[]) => gqlRequest(...args) }));

const { AppHeader } = await import('../components/shell/AppHeader');

afterEach(() => {
  cleanup();
  gqlRequest.mockReset();
});

describe('AppHeader', () => {
  it("shows the signed-in organization's name from the viewer query", async () => {
    gqlRequest.mockResolvedValueOnce({ viewer: { organization: { id: 'o1', name: 'Harbour Studio' } } });
    await act(async () => {
      render(<AppHeader signedIn />);
    });
    expect(gqlRequest).toHaveBeenCalledWith(ViewerQuery, {}, expect.anything());
    expect(screen.getByTestId('organization-name').textContent).toBe('Harbour Studio');
  });

  it('asks nothing while signed out, and forgets the name on sign-out', async () => {
    let view: ReturnType<typeof render> | undefined;
    await act(async () => {
      view = render(<AppHeader signedIn={false} />);
    });
    expect(gqlRequest).not.toHaveBeenCalled();
    expect(screen.queryByTestId('organization-name')).toBeNull();

    gqlRequest.mockResolvedValueOnce({ viewer: { organization: { id: 'o1', name: 'Harbour Studio' } } });
    await act(async () => {
      view!.rerender(<AppHeader signedIn />);
    });
    expect(screen.getByTestId('organization-name').textContent).toBe('Harbour Studio');
    await act(async () => {
      view!.rerender(<AppHeader signedIn={false} />);
    });
    expect(screen.queryByTestId('organization-name')).toBeNull();
  });

  it('leaves the name out when the API cannot say, keeping the rest of the header', async () => {
    gqlRequest.mockRejectedValueOnce(new GraphQLRequestError('UNAUTHENTICATED', 'unknown key'));
    await act(async () => {
      render(<AppHeader signedIn />);
    });
    expect(screen.queryByTestId('organization-name')).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});
