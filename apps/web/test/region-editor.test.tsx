// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegionEditor } from '../components/editor/RegionEditor';
import type { SavedRegion, SaveOperation } from '../lib/region-editor/save-plan';

// The canvas is 200x100 shown in a 400x200 box at (0,0): screen = canvas x 2.
const canvas = { width: 200, height: 100 };

function stubLayout(svg: Element) {
  vi.spyOn(svg, 'getBoundingClientRect').mockReturnValue({
    left: 0,
    top: 0,
    width: 400,
    height: 200,
    right: 400,
    bottom: 200,
    x: 0,
    y: 0,
    toJSON: () => ({}),
  });
}

const at = (x: number, y: number) => ({ clientX: x * 2, clientY: y * 2, button: 0, pointerId: 1 });

function shapePoints(index: number): string | null {
  return screen.getByTestId(`region-shape-${index}`).getAttribute('points');
}

function setup(regions: SavedRegion[] = [], saveOperation = vi.fn(async (_op: SaveOperation) => 'saved-id')) {
  render(
    <RegionEditor
      canvas={canvas}
      imageUrl={null}
      regions={regions}
      models={[{ name: 'procedural', available: true }]}
      saveOperation={saveOperation}
    />,
  );
  const svg = screen.getByTestId('region-canvas');
  stubLayout(svg);
  return { svg, saveOperation };
}

beforeEach(() => {
  // jsdom has no pointer capture.
  Element.prototype.setPointerCapture ??= () => {};
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('RegionEditor', () => {
  it('draws a triangle, drags a vertex, and undoes and redoes the drag', () => {
    const { svg } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Draw polygon' }));
    fireEvent.pointerDown(svg, at(10, 10));
    fireEvent.pointerDown(svg, at(100, 10));
    fireEvent.pointerDown(svg, at(100, 80));
    expect(screen.getByTestId('drawing')).toBeTruthy();
    // Clicking the first point again closes the shape.
    fireEvent.pointerDown(svg, at(11, 11));
    expect(shapePoints(1)).toBe('10,10 100,10 100,80');
    expect(screen.getByRole('status').textContent).toBe('Unsaved changes: 1');

    fireEvent.click(screen.getByRole('button', { name: 'Select' }));
    fireEvent.pointerDown(svg, at(100, 80));
    fireEvent.pointerMove(svg, at(150, 90));
    fireEvent.pointerUp(svg, at(150, 90));
    expect(shapePoints(1)).toBe('10,10 100,10 150,90');

    fireEvent.keyDown(svg, { key: 'z', ctrlKey: true });
    expect(shapePoints(1)).toBe('10,10 100,10 100,80');
    fireEvent.keyDown(svg, { key: 'z', ctrlKey: true, shiftKey: true });
    expect(shapePoints(1)).toBe('10,10 100,10 150,90');
  });

  it('flags a self-intersecting shape as invalid and refuses to save it', () => {
    const { svg } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Draw polygon' }));
    for (const [x, y] of [
      [10, 10],
      [100, 80],
      [100, 10],
      [10, 80],
    ] as const) {
      fireEvent.pointerDown(svg, at(x, y));
    }
    fireEvent.keyDown(svg, { key: 'Enter' });
    expect(screen.getByTestId('region-shape-1').getAttribute('data-invalid')).toBe('SELF_INTERSECTING');
    expect(screen.getAllByText(/Edges cross each other/).length).toBeGreaterThan(0);
    expect((screen.getByRole('button', { name: 'Save regions' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('nudges with the keyboard, checks fields and saves through the API operations', async () => {
    const saved: SavedRegion = {
      id: 'r1',
      points: [
        { x: 0, y: 0 },
        { x: 50, y: 0 },
        { x: 50, y: 50 },
      ],
      prompt: 'a hill',
      negativePrompt: '',
      model: '',
      seed: null,
      feather: 8,
      zOrder: 0,
    };
    const { svg, saveOperation } = setup([saved]);
    fireEvent.click(screen.getByRole('button', { name: /^Region 1/ }));
    fireEvent.keyDown(svg, { key: 'ArrowRight', shiftKey: true });
    fireEvent.keyDown(svg, { key: 'ArrowDown' });
    expect(shapePoints(1)).toBe('10,1 60,1 60,51');
    fireEvent.change(screen.getByLabelText('Feather (px)'), { target: { value: '300' } });
    expect(screen.getByText('A whole number from 0 to 256.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Feather (px)'), { target: { value: '12' } });

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save regions' }));
    });
    expect(saveOperation).toHaveBeenCalledWith({
      kind: 'update',
      key: 'r1',
      id: 'r1',
      patch: {
        points: [
          { x: 10, y: 1 },
          { x: 60, y: 1 },
          { x: 60, y: 51 },
        ],
        feather: 12,
      },
    });
    expect(screen.getByRole('status').textContent).toBe('All changes saved');
  });

  it('keeps the edit and shows the API error next to its field when a save fails', async () => {
    const failure = Object.assign(new Error('unknown or disabled backend'), {
      code: 'BAD_USER_INPUT',
      errors: [
        {
          message: 'unknown or disabled backend "x"',
          extensions: { code: 'BAD_USER_INPUT', field: 'model' },
        },
      ],
    });
    const { svg } = setup(
      [],
      vi.fn(async () => Promise.reject(failure)),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Add rectangle' }));
    fireEvent.change(screen.getByLabelText('Prompt'), { target: { value: 'a lake' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save regions' }));
    });
    const alert = screen.getByText(/unknown or disabled backend "x"/);
    expect(alert.id).toBe('region-new-1-model-error');
    expect(screen.getByRole('status').textContent).toBe('Unsaved changes: 1');
    expect(svg.querySelectorAll('polygon')).toHaveLength(1);
  });
});
