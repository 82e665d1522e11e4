// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Analytics, AnalyticsApi } from '../lib/analytics/analytics-api';
import { GraphQLRequestError } from '../lib/graphql-client';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/analytics' }));

const { AnalyticsDashboard } = await import('../components/analytics/AnalyticsDashboard');

const analytics = (days: number): Analytics => ({
  days,
  since: '2026-11-01T00:00:00.000Z',
  total: 9,
  succeeded: 6,
  failed: 2,
  cancelled: 1,
  successRate: 0.75,
  runsPerDay: Array.from({ length: days }, (_, i) => ({
    day: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
    total: i === days - 1 ? 9 : 0,
    succeeded: i === days - 1 ? 6 : 0,
    failed: i === days - 1 ? 2 : 0,
    cancelled: i === days - 1 ? 1 : 0,
  })),
  backends: [
    {
      backend: 'local-sd',
      steps: 12,
      failedOver: 1,
      p50DurationMs: 1500,
      p95DurationMs: 4200,
      estimatedCost: 0.24,
    },
    {
      backend: 'replicate',
      steps: 3,
      failedOver: 0,
      p50DurationMs: 870,
      p95DurationMs: 990,
      estimatedCost: null,
    },
  ],
});

const rowOf = (table: HTMLElement, name: string) =>
  within(table)
    .getAllByRole('row')
    .find((row) => within(row).queryByRole('rowheader')?.textContent === name)!;

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('AnalyticsDashboard', () => {
  it('loads 30 days and shows the success rate, totals, and backends with percentiles and cost', async () => {
    const api = { analytics: vi.fn<AnalyticsApi['analytics']>(async (days) => analytics(days)) };
    render(<AnalyticsDashboard api={api} />);
    expect(screen.getByText('Loading the analytics…')).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Backend usage' });
    expect(api.analytics).toHaveBeenCalledWith(30, expect.any(AbortSignal));
    expect(screen.getByTestId('success-rate').textContent).toBe('75%');
    expect(screen.getByTestId('run-total').textContent).toBe('9');
    expect(screen.getByTestId('total-cost').textContent).toBe('$0.24');
    expect(screen.getByText(/some backends have not reported a price/)).toBeTruthy();
    const cells = (name: string) =>
      within(rowOf(table, name))
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells('local-sd')).toEqual(['12', '1', '1.5 s', '4.2 s', '$0.24']);
    expect(cells('replicate')).toEqual(['3', '0', '870 ms', '990 ms', '—']);
    expect((screen.getByRole('radio', { name: '30 days' }) as HTMLInputElement).checked).toBe(true);
  });

  it('asks again for the window chosen and drops a slower answer for the old one', async () => {
    let answerOld: (value: Analytics) => void = () => {};
    const api = {
      analytics: vi.fn<AnalyticsApi['analytics']>((days) =>
        days === 30
          ? new Promise<Analytics>((resolve) => {
              answerOld = resolve;
            })
          : Promise.resolve({ ...analytics(days), total: 2 }),
      ),
    };
    render(<AnalyticsDashboard api={api} />);
    fireEvent.click(screen.getByRole('radio', { name: '7 days' }));
    expect(await screen.findByTestId('run-total')).toBeTruthy();
    expect(api.analytics).toHaveBeenLastCalledWith(7, expect.any(AbortSignal));
    await act(async () => answerOld(analytics(30)));
    expect(screen.getByTestId('run-total').textContent).toBe('2');
  });

  it('says when a window has no runs or steps, and shows no rate', async () => {
    const empty: Analytics = {
      ...analytics(7),
      total: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      successRate: null,
      backends: [],
      runsPerDay: analytics(7).runsPerDay.map((d) => ({
        ...d,
        total: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
      })),
    };
    render(<AnalyticsDashboard api={{ analytics: async () => empty }} />);
    expect(await screen.findByText('No generation steps in this window.')).toBeTruthy();
    expect(screen.getByText('No runs in the last 7 days.')).toBeTruthy();
    expect(screen.getByTestId('success-rate').textContent).toBe('—');
    expect(screen.getByTestId('total-cost').textContent).toBe('—');
  });

  it('shows an error with its code and loads again on retry', async () => {
    const api = {
      analytics: vi
        .fn<AnalyticsApi['analytics']>()
        .mockRejectedValueOnce(new GraphQLRequestError('NETWORK_ERROR', 'Could not reach the API.'))
        .mockImplementation(async (days) => analytics(days)),
    };
    render(<AnalyticsDashboard api={api} />);
    const error = await screen.findByTestId('analytics-error');
    expect(error.getAttribute('data-error-code')).toBe('NETWORK_ERROR');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Backend usage' })).toBeTruthy();
    expect(screen.queryByTestId('analytics-error')).toBeNull();
  });

  it('sends a signed-out visitor to sign in', async () => {
    const api = {
      analytics: vi.fn<AnalyticsApi['analytics']>(async () => {
        throw new GraphQLRequestError('UNAUTHENTICATED', 'Sign in.');
      }),
    };
    render(<AnalyticsDashboard api={api} />);
    await vi.waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fanalytics'));
    expect(screen.queryByTestId('analytics-error')).toBeNull();
  });
});
