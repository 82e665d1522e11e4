// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import type { SystemApi, SystemStatus } from '../lib/settings/system-api';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/settings' }));

const { SystemSettings } = await import('../components/settings/SystemSettings');

const status = (waiting = 4): SystemStatus => ({
  models: [
    {
      name: 'local-sd',
      available: true,
      circuit: 'half-open',
      workers: 2,
      updatedAt: '2026-01-01T00:00:00Z',
      capabilities: {
        txt2img: true,
        img2img: true,
        inpainting: false,
        negativePrompt: true,
        regionalPrompting: false,
        maxWidth: 1024,
        maxHeight: 768,
      },
      performance: { successes: 19, failures: 1, successRate: 0.95, p50LatencyMs: 1500 },
    },
    {
      name: 'replicate',
      available: false,
      circuit: 'open',
      workers: 0,
      updatedAt: null,
      capabilities: null,
      performance: { successes: 0, failures: 0, successRate: null, p50LatencyMs: null },
    },
  ],
  workers: [
    {
      id: 'gpu-1:42:abc',
      host: 'gpu-1',
      pid: 42,
      state: 'READY',
      tfjsBackend: 'tensorflow',
      analysisKernel: 'native',
      jobsInHand: 3,
      lastHeartbeatAt: new Date(Date.now() - 2000).toISOString(),
      device: { kind: 'GPU', name: 'NVIDIA H100', memoryTotalMb: 81920, memoryUsedMb: 10240 },
      queues: [
        { name: 'generation', concurrency: 2 },
        { name: 'analysis', concurrency: 4 },
      ],
    },
  ],
  queues: [
    {
      name: 'generation',
      paused: false,
      waiting,
      prioritized: 1,
      delayed: 0,
      waitingChildren: 0,
      active: 2,
      failed: 5,
      completed: 100,
      workers: 1,
    },
  ],
});

const rowOf = (table: HTMLElement, name: string) =>
  within(table)
    .getAllByRole('row')
    .find((row) => within(row).queryByRole('rowheader')?.textContent?.startsWith(name))!;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('SystemSettings', () => {
  it('shows backends, the fleet and queue depths', async () => {
    const api = { status: vi.fn<SystemApi['status']>(async () => status()) };
    render(<SystemSettings api={api} />);
    const backends = await screen.findByRole('table', { name: 'Backends' });
    expect(rowOf(backends, 'local-sd').textContent).toContain('half-open');
    expect(rowOf(backends, 'local-sd').textContent).toContain(
      'txt2img, img2img, negative prompt · up to 1024×768',
    );
    expect(rowOf(backends, 'local-sd').textContent).toContain('95% (19/20)');
    expect(rowOf(backends, 'local-sd').textContent).toContain('1.5 s');
    expect(rowOf(backends, 'replicate').textContent).toContain('unavailable');
    expect(rowOf(backends, 'replicate').textContent).toContain('not reported yet');

    const worker = screen.getByTestId('fleet-worker');
    for (const text of [
      'gpu-1',
      'GPU NVIDIA H100',
      '10.0 / 80.0 GB',
      'tensorflow',
      'native',
      'generation (2), analysis (4)',
      'READY',
    ]) {
      expect(worker.textContent).toContain(text);
    }
    expect(within(worker).getAllByRole('cell')[4]!.textContent).toBe('3');
    expect(worker.querySelector('time')!.textContent).toMatch(/^\d+ s ago$/);

    const queues = screen.getByRole('table', { name: 'Queues' });
    const cells = within(rowOf(queues, 'generation'))
      .getAllByRole('cell')
      .map((c) => c.textContent);
    // Backlog, waiting, prioritized, delayed, waiting children, active, failed, completed, workers.
    expect(cells).toEqual(['5', '4', '1', '0', '0', '2', '5', '100', '1']);
  });

  it('refreshes on its interval while the page is visible, and stops while it is hidden', async () => {
    vi.useFakeTimers();
    let waiting = 4;
    const api = { status: vi.fn<SystemApi['status']>(async () => status(waiting)) };
    render(<SystemSettings api={api} refreshMs={5000} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(api.status).toHaveBeenCalledTimes(1);

    waiting = 9;
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(api.status).toHaveBeenCalledTimes(2);
    const queues = screen.getByRole('table', { name: 'Queues' });
    expect(within(rowOf(queues, 'generation')).getAllByRole('cell')[1]!.textContent).toBe('9');

    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await act(() => vi.advanceTimersByTimeAsync(20000));
    expect(api.status).toHaveBeenCalledTimes(2);

    visibility.mockReturnValue('visible');
    await act(async () => {
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(api.status).toHaveBeenCalledTimes(3);
    visibility.mockRestore();
  });

  it('keeps the last figures under an error when a refresh fails', async () => {
    vi.useFakeTimers();
    const api = { status: vi.fn<SystemApi['status']>(async () => status()) };
    render(<SystemSettings api={api} refreshMs={5000} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    api.status.mockRejectedValueOnce(new GraphQLRequestError('NETWORK_ERROR', 'Could not reach the API.'));
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(screen.getByTestId('system-error').getAttribute('data-error-code')).toBe('NETWORK_ERROR');
    expect(screen.getByRole('table', { name: 'Backends' })).toBeTruthy();
  });
});
