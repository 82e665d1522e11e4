// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerationHistory } from '../components/gallery/GenerationHistory';
import { RunGallery } from '../components/gallery/RunGallery';
import type { GenerationStep } from '../lib/runs/runs-api';
import { fakeRunsApi, runDetail } from './runs-fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
afterEach(cleanup);

const step = (id: string, regionId: string | null): GenerationStep => ({
  id,
  runId: 'run_1',
  regionId,
  operation: regionId ? 'render-region' : 'compose',
  backend: 'procedural',
  model: 'procedural',
  modelVersion: '1',
  prompt: 'a stormy sky',
  seed: 7,
  width: 512,
  height: 512,
  durationMs: 1500,
  imageUrl: `https://cdn.test/${id}.png`,
  createdAt: '2025-01-01T00:00:00.000Z',
});

describe('RunGallery', () => {
  it('shows the SUCCEEDED runs page by page with download links', async () => {
    const { api } = fakeRunsApi();
    const done = (id: string) =>
      runDetail({ id, status: 'SUCCEEDED', imageUrl: `https://cdn.test/${id}.png` });
    api.projectRuns
      .mockResolvedValueOnce({
        width: 512,
        height: 512,
        runs: [done('run_a'), runDetail({ id: 'run_b', status: 'FAILED' }), done('run_c')],
        hasNextPage: true,
        endCursor: 'c1',
      })
      .mockResolvedValueOnce({
        width: 512,
        height: 512,
        runs: [done('run_d')],
        hasNextPage: false,
        endCursor: 'c2',
      });
    render(<RunGallery projectId="prj_1" api={api} />);

    const gallery = screen.getByTestId('gallery');
    await waitFor(() => expect(within(gallery).getAllByRole('listitem')).toHaveLength(2));
    const links = within(gallery).getAllByRole('link', { name: 'Download' });
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://cdn.test/run_a.png',
      'https://cdn.test/run_c.png',
    ]);

    await userEvent.click(screen.getByRole('button', { name: 'Older results' }));
    await waitFor(() => expect(within(gallery).getAllByRole('listitem')).toHaveLength(3));
    expect(api.projectRuns).toHaveBeenLastCalledWith('prj_1', 24, 'c1');
    expect(screen.queryByRole('button', { name: 'Older results' })).toBeNull();
  });
});

describe('GenerationHistory', () => {
  it('lists the history of the chosen region', async () => {
    const { api } = fakeRunsApi();
    api.generationHistory.mockImplementation(async (_p, regionId) => ({
      steps: regionId ? [step('s2', regionId)] : [step('s1', null), step('s2', 'reg_b')],
      hasNextPage: false,
      endCursor: null,
    }));
    render(<GenerationHistory projectId="prj_1" api={api} />);
    const list = screen.getByTestId('generation-history');
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));

    await userEvent.selectOptions(await screen.findByLabelText('Region'), 'reg_b');
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(api.generationHistory).toHaveBeenLastCalledWith('prj_1', 'reg_b', 20, null);
  });
});
