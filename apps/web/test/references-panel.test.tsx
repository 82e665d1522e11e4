// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';

const gqlRequest = vi.fn();
vi.mock('../lib/api', () => ({ gqlRequest: (...args: unknown[]) => gqlRequest(...args) }));

const { ReferencesPanel } = await import('../components/references/ReferencesPanel');

const reference = {
  id: 'ref-1',
  regionId: null,
  description: 'bark',
  width: 64,
  height: 48,
  imageUrl: 'https://api.test/blob/1?sig=x',
  createdAt: '2025-01-01T00:00:00Z',
  understanding: { level: 0.9, understood: true, assessedAt: '2025-01-01T00:00:00Z' },
};

afterEach(() => {
  cleanup();
  gqlRequest.mockReset();
});

describe('ReferencesPanel', () => {
  it('lists references with thumbnails and understanding, and uploads a dropped image to the selected region', async () => {
    gqlRequest.mockResolvedValueOnce({ project: { id: 'p1', references: [reference] } });
    await act(async () => {
      render(<ReferencesPanel projectId="p1" regionId="r1" regionNames={new Map([['r1', 'Region 1']])} />);
    });
    expect(screen.getByRole('img', { name: 'bark' }).getAttribute('src')).toBe(reference.imageUrl);
    expect(screen.getByTestId('understanding').textContent).toBe('90% · understood');

    const png = new File([new Uint8Array(4)], 'leaf.png', { type: 'image/png' });
    const text = new File(['x'], 'notes.txt', { type: 'text/plain' });
    gqlRequest.mockResolvedValueOnce({
      addReference: { reference: { ...reference, id: 'ref-2', regionId: 'r1', description: 'leaf' } },
    });
    await act(async () => {
      fireEvent.drop(screen.getByTestId('reference-drop-zone'), { dataTransfer: { files: [png, text] } });
    });
    expect(gqlRequest).toHaveBeenLastCalledWith(expect.anything(), {
      input: { projectId: 'p1', regionId: 'r1', image: png },
    });
    expect(screen.getByRole('img', { name: 'leaf' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('notes.txt: not a PNG');
  });

  it('starts an UNDERSTAND run and shows why when the API refuses', async () => {
    gqlRequest.mockResolvedValueOnce({ project: { id: 'p1', references: [reference] } });
    await act(async () => {
      render(<ReferencesPanel projectId="p1" regionId={null} regionNames={new Map()} />);
    });
    gqlRequest.mockRejectedValueOnce(Object.assign(new Error('no backend can do this'), { name: 'X' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Assess understanding' }));
    });
    expect(gqlRequest).toHaveBeenLastCalledWith(expect.anything(), {
      input: { projectId: 'p1', kind: 'UNDERSTAND', referenceId: 'ref-1' },
    });
    expect(screen.getByRole('alert').textContent).toContain('no backend can do this');
    expect((screen.getByRole('button', { name: 'Assess understanding' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('removes a reference only after confirmation', async () => {
    const other = { ...reference, id: 'ref-2', description: null, width: 32, height: 32 };
    gqlRequest.mockResolvedValueOnce({ project: { id: 'p1', references: [reference, other] } });
    await act(async () => {
      render(<ReferencesPanel projectId="p1" regionId={null} regionNames={new Map()} />);
    });
    fireEvent.click(screen.getByRole('button', { name: 'Remove bark' }));
    expect(screen.getByRole('alertdialog').textContent).toContain('Remove bark?');
    fireEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(gqlRequest).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('button', { name: 'Remove bark' }));
    gqlRequest.mockResolvedValueOnce({ removeReference: { removedReferenceId: 'ref-1' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Remove for good' }));
    });
    expect(gqlRequest).toHaveBeenLastCalledWith(expect.anything(), { input: { id: 'ref-1' } });
    expect(screen.queryByRole('img', { name: 'bark' })).toBeNull();
    // The unnamed one is named by its size, and stays.
    expect(screen.getByRole('img', { name: 'Reference 32×32' })).toBeTruthy();
    expect(screen.getAllByTestId('reference-item')).toHaveLength(1);
  });

  it('keeps a reference the API refuses to remove and says why, but drops one already gone', async () => {
    const other = { ...reference, id: 'ref-2', description: 'moss' };
    gqlRequest.mockResolvedValueOnce({ project: { id: 'p1', references: [reference, other] } });
    await act(async () => {
      render(<ReferencesPanel projectId="p1" regionId={null} regionNames={new Map()} />);
    });
    fireEvent.click(screen.getByRole('button', { name: 'Remove bark' }));
    gqlRequest.mockRejectedValueOnce(
      new GraphQLRequestError(
        'PRECONDITION_FAILED',
        'reference is being assessed by 1 queued or running run(s)',
      ),
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Remove for good' }));
    });
    const error = screen.getByTestId('reference-remove-error');
    expect(error.textContent).toContain('being assessed');
    expect(error.getAttribute('data-error-code')).toBe('PRECONDITION_FAILED');
    expect(screen.getByRole('img', { name: 'bark' })).toBeTruthy();
    // The confirmation closed, so trying again starts from the Remove button.
    expect(screen.queryByRole('alertdialog')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Remove moss' }));
    gqlRequest.mockRejectedValueOnce(new GraphQLRequestError('NOT_FOUND', 'reference not found'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Remove for good' }));
    });
    expect(screen.queryByRole('img', { name: 'moss' })).toBeNull();
    expect(screen.getAllByTestId('reference-remove-error')).toHaveLength(1);
  });
});
