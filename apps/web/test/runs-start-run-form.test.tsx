// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { StartRunForm } from '../components/runs/StartRunForm';
import { type GraphQLErrorEntry, GraphQLRequestError } from '../lib/graphql-client';
import type { RunSummary } from '../lib/runs/runs-api';
import { fakeRunsApi, runDetail } from './runs-fake-api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
afterEach(cleanup);

describe('StartRunForm', () => {
  it('starts one REFINE run for a double click, with one idempotency key', async () => {
    const { api } = fakeRunsApi();
    let release: (run: RunSummary) => void = () => {};
    api.startRun.mockImplementation(() => new Promise((resolve) => (release = resolve)));
    const started: RunSummary[] = [];
    render(<StartRunForm projectId="prj_1" api={api} onStarted={(run) => started.push(run)} />);
    const user = userEvent.setup();

    await user.click(screen.getByLabelText(/Refine/));
    await user.selectOptions(screen.getByLabelText('Strategy'), 'TARGETED');
    await user.clear(screen.getByLabelText(/Max iterations/));
    await user.type(screen.getByLabelText(/Max iterations/), '8');
    await user.dblClick(screen.getByRole('button', { name: 'Start refinement' }));

    expect(api.startRun).toHaveBeenCalledTimes(1);
    const [request, key] = api.startRun.mock.calls[0]!;
    expect(request).toEqual({
      projectId: 'prj_1',
      kind: 'REFINE',
      strategy: 'TARGETED',
      maxIterations: 8,
      targetScore: 0.8,
    });
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByRole('button', { name: 'Starting…' })).toHaveProperty('disabled', true);

    release(runDetail());
    await waitFor(() => expect(started).toHaveLength(1));
  });

  it('reuses the key when a failed submit is retried unchanged, and shows API field errors next to the field', async () => {
    const { api } = fakeRunsApi();
    const field: GraphQLErrorEntry = {
      message: 'priority must be an integer from 1 to 10',
      code: 'BAD_USER_INPUT',
      path: ['startRun'],
      extensions: { code: 'BAD_USER_INPUT', field: 'priority' },
    };
    api.startRun
      .mockRejectedValueOnce(new GraphQLRequestError('NETWORK_ERROR', 'Could not reach the API (offline).'))
      .mockRejectedValueOnce(new GraphQLRequestError('BAD_USER_INPUT', field.message, { errors: [field] }));
    render(<StartRunForm projectId="prj_1" api={api} onStarted={() => {}} />);
    const user = userEvent.setup();

    await user.type(screen.getByLabelText(/Priority/), '3');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect((await screen.findByTestId('start-run-error')).dataset.errorCode).toBe('NETWORK_ERROR');

    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(api.startRun).toHaveBeenCalledTimes(2));
    expect(api.startRun.mock.calls[1]![1]).toBe(api.startRun.mock.calls[0]![1]);
    const priority = screen.getByLabelText(/Priority/);
    await waitFor(() => expect(priority.getAttribute('aria-invalid')).toBe('true'));
    const message = document.getElementById(priority.getAttribute('aria-describedby') ?? '');
    expect(message?.textContent).toBe('priority must be an integer from 1 to 10');
    expect(message?.dataset.errorCode).toBe('BAD_USER_INPUT');

    // A changed form is a new submission: a new key.
    await user.clear(priority);
    await user.type(priority, '4');
    api.startRun.mockResolvedValueOnce(runDetail());
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(api.startRun).toHaveBeenCalledTimes(3));
    expect(api.startRun.mock.calls[2]![1]).not.toBe(api.startRun.mock.calls[0]![1]);
  });

  it('checks the fields before calling the API', async () => {
    const { api } = fakeRunsApi();
    render(<StartRunForm projectId="prj_1" api={api} onStarted={() => {}} />);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Refine/));
    await user.clear(screen.getByLabelText(/Target score/));
    await user.type(screen.getByLabelText(/Target score/), '1.5');
    await user.click(screen.getByRole('button', { name: 'Start refinement' }));
    expect(api.startRun).not.toHaveBeenCalled();
    expect(screen.getByLabelText(/Target score/).getAttribute('aria-invalid')).toBe('true');
  });
});
