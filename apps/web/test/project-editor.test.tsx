// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { documentText } from '../lib/graphql';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/projects/p1' }));
const gqlRequest = vi.fn();
vi.mock('../lib/api', () => ({ gqlRequest: (...args: unknown[]) => gqlRequest(...args) }));

const { ProjectEditor } = await import('../components/editor/ProjectEditor');

const region = {
  id: 'r-old',
  points: [
    { x: 0, y: 0 },
    { x: 40, y: 0 },
    { x: 40, y: 40 },
  ],
  prompt: 'a hill',
  negativePrompt: null,
  model: null,
  seed: null,
  feather: 8,
  zOrder: 0,
};

const reference = (id: string, regionId: string | null) => ({
  id,
  regionId,
  description: id,
  width: 64,
  height: 48,
  imageUrl: `https://api.test/${id}`,
  createdAt: '2026-01-01T00:00:00Z',
  understanding: null,
});

/** A scripted API answering each operation by name, as the proxy would. */
function scriptApi() {
  gqlRequest.mockImplementation(async (document: object, variables: { input?: Record<string, unknown> }) => {
    const operation = /(?:query|mutation) (\w+)/.exec(documentText(document))?.[1];
    switch (operation) {
      case 'EditorProject':
        return {
          project: { id: 'p1', width: 200, height: 100, regions: [region], runs: { edges: [] } },
          models: [{ name: 'procedural', available: true }],
        };
      case 'ProjectReferences':
        return { project: { id: 'p1', references: [reference('old-ref', 'r-old')] } };
      case 'EditorAddRegion':
        return { addRegion: { region: { ...region, ...variables.input, id: 'r-new' } } };
      case 'PanelAddReference':
        return { addReference: { reference: reference('new-ref', variables.input!.regionId as string) } };
      default:
        throw new Error(`unexpected operation ${operation}`);
    }
  });
}

beforeEach(() => {
  Element.prototype.setPointerCapture ??= () => {};
  scriptApi();
});
afterEach(() => {
  cleanup();
  gqlRequest.mockReset();
});

const bindingOf = (name: string) =>
  screen.getByRole('img', { name }).parentElement!.querySelector('[data-testid="reference-binding"]')!
    .textContent;

describe('ProjectEditor with its references panel', () => {
  it('names a region drawn and saved in this visit at once, not only after a reload', async () => {
    await act(async () => {
      render(<ProjectEditor projectId="p1" />);
    });
    expect(bindingOf('old-ref')).toBe('Region 1');

    fireEvent.click(screen.getByRole('button', { name: 'Add rectangle' }));
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'a lighthouse' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save regions' }));
    });
    expect(gqlRequest).toHaveBeenCalledWith(expect.anything(), {
      input: expect.objectContaining({ projectId: 'p1', prompt: 'a lighthouse' }),
    });
    // The new region is still selected and now saved: the panel offers to bind to it, by its name.
    expect(screen.getByRole('radio', { name: /the selected region \(Region 2\)/ })).toBeTruthy();

    const png = new File([new Uint8Array(4)], 'lamp.png', { type: 'image/png' });
    await act(async () => {
      fireEvent.drop(screen.getByTestId('reference-drop-zone'), { dataTransfer: { files: [png] } });
    });
    expect(gqlRequest).toHaveBeenLastCalledWith(expect.anything(), {
      input: { projectId: 'p1', regionId: 'r-new', image: png },
    });
    expect(bindingOf('new-ref')).toBe('Region 2');
    expect(bindingOf('old-ref')).toBe('Region 1');
  });
});
