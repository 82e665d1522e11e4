// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { RunView } from '../components/runs/RunView';
import { fakeRunsApi, iterationDetail, runDetail } from './runs-fake-api';
import { RUN_ID, raw, region } from './runs-fixtures';

// Without vitest globals Testing Library does not flag the environment for React's act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
afterEach(cleanup);

function logSeqs(): number[] {
  return within(screen.getByTestId('run-event-log'))
    .getAllByRole('listitem')
    .map((li) => Number(li.getAttribute('data-seq')));
}

function progressValue(): number {
  return Number(screen.getByTestId('run-progress').getAttribute('value'));
}

function scoreTable(): string[][] {
  return within(screen.getByTestId('score-table'))
    .getAllByRole('row')
    .map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent ?? ''));
}

describe('RunView', () => {
  it('merges live events across a reconnect replay and a gap: progress, timeline and chart are right, no event twice', async () => {
    const server = fakeRunsApi({
      iterations: [
        iterationDetail(0, {
          recommendations: [
            {
              regionId: 'reg_a',
              output: 'warmth',
              value: 0.42,
              firedRules: [
                { degree: 0.3, line: 4, text: 'IF hue_delta IS slightly_warm THEN warmth IS small' },
                { degree: 0.8, line: 2, text: 'IF hue_delta IS warm THEN warmth IS large' },
              ],
            },
          ],
        }),
      ],
    });
    const { api } = server;
    render(<RunView runId={RUN_ID} projectId="prj_1" api={api} />);

    // Queued: the queue position from run(id).
    await waitFor(() =>
      expect(screen.getByTestId('run-progress-text').textContent).toContain('2nd in queue'),
    );
    const first = server.current();
    expect(first.after()).toBe(0);

    const push = (frame: unknown) => act(() => server.current().handlers.next(frame));
    await push(raw.queued(1));
    await push(raw.started(2));
    await push(raw.progress(3, 0.25, 30, 2, 8));
    expect(progressValue()).toBe(25);
    expect(screen.getByTestId('run-progress-text').textContent).toContain('about 30 s left');
    await push(raw.iteration(4, 0, 0.5, { regions: [region('reg_a', 0.4), region('reg_b', 0.6)] }));

    // graphql-ws reconnects on the same subscription and asks for what came after seq 4; the server
    // replays an overlap anyway (a stale `after`), then carries on.
    expect(first.after()).toBe(4);
    for (const frame of [raw.started(2), raw.progress(3, 0.25, 30, 2, 8), raw.iteration(4, 0, 0.5)]) {
      await push(frame);
    }
    await push(raw.progress(5, 0.5, 12, 4, 8));
    await push(
      raw.iteration(6, 1, 0.7, { regions: [region('reg_a', 0.75), region('reg_b', 0.65)], bestIteration: 1 }),
    );
    expect(logSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progressValue()).toBe(50);

    // Seq 7 is lost: seq 8 is held back and the client subscribes again from 6.
    await push(raw.progress(8, 0.8, 4, 6, 8));
    expect(progressValue()).toBe(50);
    expect(server.subscriptions).toHaveLength(2);
    expect(first.closed).toBe(true);
    expect(server.current().after()).toBe(6);
    await push(
      raw.iteration(7, 2, 0.6, {
        accepted: false,
        bestScore: 0.7,
        bestIteration: 1,
        regions: [region('reg_a', 0.55), region('reg_b', 0.66)],
      }),
    );
    await push(raw.progress(8, 0.8, 4, 6, 8));
    expect(progressValue()).toBe(80);
    await push(raw.progress(9, 0.7, 3, 7, 8)); // never backwards
    expect(progressValue()).toBe(80);
    server.setRun(
      runDetail({ status: 'SUCCEEDED', progress: 1, lastEventSeq: 10, imageUrl: 'https://cdn.test/out.png' }),
    );
    await push(raw.completed(10));
    await act(() => server.current().handlers.complete());

    expect(logSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progressValue()).toBe(100);
    expect(screen.getByTestId('run-status').textContent).toBe('SUCCEEDED');
    expect(screen.queryByTestId('cancel-run')).toBeNull();

    const timeline = within(screen.getByTestId('iteration-timeline')).getAllByRole('listitem');
    expect(timeline.map((li) => [li.dataset.iteration, li.dataset.accepted])).toEqual([
      ['0', 'true'],
      ['1', 'true'],
      ['2', 'false'],
    ]);

    await waitFor(() => expect(scoreTable()[0]).toContain('a stormy sky over the sea'));
    expect(scoreTable()).toEqual([
      ['Iteration', 'Overall', 'a stormy sky over the sea', 'lighthouse'],
      ['0', '0.500', '0.400', '0.600'],
      ['1', '0.700', '0.750', '0.650'],
      ['2', '0.600', '0.550', '0.660'],
    ]);

    // Baseline against the best (iteration 1), full-size where Run.iterations has it.
    const compare = screen.getByTestId('before-after');
    expect(
      within(compare)
        .getByAltText(/Baseline/)
        .getAttribute('src'),
    ).toBe('https://cdn.test/full0.png');
    expect(
      within(compare)
        .getByAltText(/Iteration 1/)
        .getAttribute('src'),
    ).toBe('https://cdn.test/it1.png');

    // The baseline's recommendation, its fired rules strongest first.
    await userEvent.click(
      within(screen.getByTestId('iteration-timeline')).getByRole('button', { name: /Baseline/ }),
    );
    const rules = within(screen.getByTestId('recommendations')).getAllByRole('listitem').slice(1);
    expect(rules.map((li) => li.querySelector('.runs-degree')?.textContent)).toEqual(['0.80', '0.30']);
  });

  it('cancels a queued run and shows the cancelled state', async () => {
    const server = fakeRunsApi();
    render(<RunView runId={RUN_ID} projectId="prj_1" api={server.api} />);
    await act(() => server.current().handlers.next(raw.queued(1)));
    const button = await screen.findByTestId('cancel-run');
    await userEvent.click(button);
    expect(server.api.cancelRun).toHaveBeenCalledWith(RUN_ID);
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toBe('CANCELLED'));
    expect(screen.queryByTestId('cancel-run')).toBeNull();
  });

  it('lists the failed attempts of a failed run', async () => {
    const server = fakeRunsApi({
      run: runDetail({
        status: 'FAILED',
        lastEventSeq: 2,
        error: { code: 'GENERATION_FAILED', message: 'GPU fell over' },
        failures: [
          {
            at: '2025-01-01T00:00:01.000Z',
            attempt: 1,
            code: 'OUT_OF_MEMORY',
            jobName: 'render-region',
            message: 'oom',
            willRetry: true,
          },
          {
            at: '2025-01-01T00:00:02.000Z',
            attempt: 2,
            code: 'GENERATION_FAILED',
            jobName: 'render-region',
            message: 'GPU fell over',
            willRetry: false,
          },
        ],
      }),
    });
    render(<RunView runId={RUN_ID} projectId="prj_1" api={server.api} />);
    await act(() => server.current().handlers.next(raw.queued(1)));
    await act(() => server.current().handlers.next(raw.failed(2)));
    expect(screen.getByTestId('run-error').dataset.errorCode).toBe('GENERATION_FAILED');
    await waitFor(() =>
      expect(within(screen.getByTestId('run-failures')).getAllByRole('listitem')).toHaveLength(2),
    );
  });
});
