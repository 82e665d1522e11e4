// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

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
});
