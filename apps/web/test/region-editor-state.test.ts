import { describe, expect, it } from 'vitest';
import {
  addDrawingPoint,
  addVertex,
  cancelDrawing,
  closeDrawing,
  createEditorState,
  deleteSelection,
  type EditorState,
  nudgeSelection,
  type RegionDraft,
  reorder,
  select,
  selectedRegion,
  updateFields,
} from '../lib/region-editor/editor-state';
import {
  canRedo,
  canUndo,
  commit,
  createHistory,
  push,
  redo,
  replace,
  undo,
} from '../lib/region-editor/history';
import { keyCommand } from '../lib/region-editor/keyboard';
import { fieldErrors, parseSeedInput } from '../lib/region-editor/region-fields';
import { toSaveError } from '../lib/region-editor/save-error';
import { applySaved, isUnsaved, planSave, type SavedRegion } from '../lib/region-editor/save-plan';

const canvas = { width: 100, height: 100 };

function region(key: string, zOrder: number, overrides: Partial<RegionDraft> = {}): RegionDraft {
  return {
    key,
    zOrder,
    points: [
      { x: 10, y: 10 },
      { x: 40, y: 10 },
      { x: 40, y: 40 },
    ],
    prompt: `prompt ${key}`,
    negativePrompt: '',
    model: '',
    seed: null,
    feather: 8,
    ...overrides,
  };
}

function drawTriangle(state: EditorState): EditorState {
  let next = addDrawingPoint(state, { x: 0, y: 0 }, canvas);
  next = addDrawingPoint(next, { x: 50, y: 0 }, canvas);
  next = addDrawingPoint(next, { x: 150, y: 50 }, canvas);
  return closeDrawing(next);
}

describe('editor state', () => {
  it('loads regions bottom to top by z-order', () => {
    const state = createEditorState([region('b', 5), region('a', 1)]);
    expect(state.regions.map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('draws, clamps points to the canvas, and closes into a selected region on top', () => {
    const state = drawTriangle(createEditorState([region('a', 3)]));
    expect(state.drawing).toBeNull();
    expect(state.regions).toHaveLength(2);
    const created = selectedRegion(state)!;
    expect(created).toMatchObject({ key: 'new-1', zOrder: 4, prompt: '', feather: 8 });
    expect(created.points[2]).toEqual({ x: 100, y: 50 });
  });

  it('keeps drawing open with fewer than three points, and escape discards it', () => {
    const start = createEditorState([]);
    const two = addDrawingPoint(addDrawingPoint(start, { x: 1, y: 1 }, canvas), { x: 9, y: 9 }, canvas);
    expect(closeDrawing(two)).toBe(two);
    expect(cancelDrawing(two).drawing).toBeNull();
    expect(cancelDrawing(start)).toBe(start);
  });

  it('nudges the selected vertex, or the whole region', () => {
    const base = createEditorState([region('a', 0)]);
    const vertex = nudgeSelection(select(base, { key: 'a', vertex: 1 }), { x: 10, y: 0 }, canvas);
    expect(vertex.regions[0]!.points[1]).toEqual({ x: 50, y: 10 });
    const whole = nudgeSelection(select(base, { key: 'a', vertex: null }), { x: 0, y: -50 }, canvas);
    expect(whole.regions[0]!.points.map((p) => p.y)).toEqual([0, 0, 30]);
    expect(nudgeSelection(base, { x: 1, y: 1 }, canvas)).toBe(base);
  });

  it('inserts a vertex and selects it', () => {
    const state = addVertex(createEditorState([region('a', 0)]), 'a', 0, { x: 25, y: 10 }, canvas);
    expect(state.regions[0]!.points).toHaveLength(4);
    expect(state.selection).toEqual({ key: 'a', vertex: 1 });
  });

  it('deletes the selected vertex only above three points, else the selected region', () => {
    const four = region('a', 0, {
      points: [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
        { x: 0, y: 10 },
      ],
    });
    const base = createEditorState([four]);
    const fewer = deleteSelection(select(base, { key: 'a', vertex: 0 }));
    expect(fewer.regions[0]!.points).toHaveLength(3);
    expect(fewer.selection).toEqual({ key: 'a', vertex: null });
    const refused = select(fewer, { key: 'a', vertex: 0 });
    expect(deleteSelection(refused)).toBe(refused);
    expect(deleteSelection(select(fewer, { key: 'a', vertex: null })).regions).toHaveLength(0);
  });

  it('reorders by one place and renumbers z-orders', () => {
    const state = createEditorState([region('a', 2), region('b', 2), region('c', 7)]);
    const raised = reorder(state, 'a', 1);
    expect(raised.regions.map((r) => [r.key, r.zOrder])).toEqual([
      ['b', 0],
      ['a', 1],
      ['c', 2],
    ]);
    expect(reorder(state, 'c', 1)).toBe(state);
    expect(reorder(state, 'a', -1)).toBe(state);
  });

  it('updates fields and keeps the same state when nothing changes', () => {
    const state = createEditorState([region('a', 0)]);
    expect(updateFields(state, 'a', { prompt: 'prompt a' })).toBe(state);
    expect(updateFields(state, 'a', { seed: 7 }).regions[0]!.seed).toBe(7);
  });
});

describe('undo history', () => {
  it('undoes and redoes pushes, and a new push drops the redo branch', () => {
    let history = push(push(createHistory(0), 1), 2);
    history = undo(history);
    expect(history.present).toBe(1);
    expect(canRedo(history)).toBe(true);
    history = redo(history);
    expect(history.present).toBe(2);
    history = push(undo(history), 5);
    expect(canRedo(history)).toBe(false);
    expect(history.past).toEqual([0, 1]);
  });

  it('turns a drag (replaces, then a commit) into one step', () => {
    let history = createHistory('start');
    const before = history.present;
    history = replace(replace(history, 'mid'), 'end');
    expect(canUndo(history)).toBe(false);
    history = commit(history, before);
    expect(undo(history).present).toBe('start');
    expect(commit(history, history.present)).toBe(history);
  });

  it('forgets the oldest steps beyond its limit', () => {
    let history = createHistory(0, 3);
    for (let i = 1; i <= 5; i++) history = push(history, i);
    expect(history.past).toEqual([2, 3, 4]);
    expect(undo(undo(undo(undo(history)))).present).toBe(2);
  });
});

describe('keyboard commands', () => {
  it('maps arrows to 1 px nudges and shift+arrows to 10 px', () => {
    expect(keyCommand({ key: 'ArrowLeft' })).toEqual({ type: 'nudge', dx: -1, dy: 0 });
    expect(keyCommand({ key: 'ArrowDown', shiftKey: true })).toEqual({ type: 'nudge', dx: 0, dy: 10 });
  });

  it('maps undo and both redo shortcuts on Ctrl and Cmd', () => {
    expect(keyCommand({ key: 'z', ctrlKey: true })).toEqual({ type: 'undo' });
    expect(keyCommand({ key: 'Z', metaKey: true, shiftKey: true })).toEqual({ type: 'redo' });
    expect(keyCommand({ key: 'y', ctrlKey: true })).toEqual({ type: 'redo' });
    expect(keyCommand({ key: 'ArrowLeft', ctrlKey: true })).toBeNull();
  });

  it('maps delete, escape, enter and the z-order brackets', () => {
    expect(keyCommand({ key: 'Delete' })).toEqual({ type: 'delete' });
    expect(keyCommand({ key: 'Backspace' })).toEqual({ type: 'delete' });
    expect(keyCommand({ key: 'Escape' })).toEqual({ type: 'cancel' });
    expect(keyCommand({ key: 'Enter' })).toEqual({ type: 'close' });
    expect(keyCommand({ key: ']' })).toEqual({ type: 'raise' });
    expect(keyCommand({ key: '[' })).toEqual({ type: 'lower' });
    expect(keyCommand({ key: 'a' })).toBeNull();
  });
});

describe('save plan', () => {
  const saved = (
    key: string,
    zOrder: number,
    overrides: Partial<RegionDraft> = {},
  ): [string, SavedRegion] => {
    const { key: _key, ...fields } = region(key, zOrder, overrides);
    return [key, { ...fields, id: `id-${key}` }];
  };

  it('sends removals, then updates with only the changed fields, then additions', () => {
    const baseline = new Map([saved('a', 0), saved('b', 1)]);
    const drafts = [
      region('a', 0, { prompt: 'changed', negativePrompt: ' ' }),
      region('new-1', 2, { model: 'sdxl' }),
    ];
    expect(planSave(drafts, baseline)).toEqual([
      { kind: 'remove', key: 'b', id: 'id-b' },
      { kind: 'update', key: 'a', id: 'id-a', patch: { prompt: 'changed' } },
      {
        kind: 'add',
        key: 'new-1',
        input: {
          points: drafts[1]!.points,
          prompt: 'prompt new-1',
          negativePrompt: null,
          model: 'sdxl',
          seed: null,
          feather: 8,
          zOrder: 2,
        },
      },
    ]);
    expect(isUnsaved(drafts[0]!, baseline)).toBe(true);
    expect(isUnsaved(region('b', 1), baseline)).toBe(false);
  });

  it('clears a negative prompt and a model with null, and sends moved points', () => {
    const baseline = new Map([saved('a', 0, { negativePrompt: 'blur', model: 'sdxl' })]);
    const moved = region('a', 0, {
      points: [
        { x: 1, y: 1 },
        { x: 9, y: 1 },
        { x: 9, y: 9 },
      ],
    });
    expect(planSave([moved], baseline)[0]).toMatchObject({
      patch: { negativePrompt: null, model: null, points: moved.points },
    });
  });

  it('records what was saved so the region is no longer unsaved', () => {
    const draft = region('new-1', 0);
    const [add] = planSave([draft], new Map());
    const baseline = applySaved(new Map(), add!, draft, 'server-1');
    expect(baseline.get('new-1')?.id).toBe('server-1');
    expect(planSave([draft], baseline)).toEqual([]);
    const removed = applySaved(baseline, { kind: 'remove', key: 'new-1', id: 'server-1' }, undefined);
    expect(removed.size).toBe(0);
  });
});

describe('region fields', () => {
  const fields = { prompt: 'a cat', negativePrompt: '', model: '', seed: null, feather: 8 };

  it('accepts sensible values and reports each bad one', () => {
    expect(fieldErrors(fields)).toEqual({});
    expect(fieldErrors({ ...fields, prompt: '  ', seed: -1, feather: 300 })).toEqual({
      prompt: 'A prompt is required.',
      seed: 'A whole number from 0 to 4294967295, or empty.',
      feather: 'A whole number from 0 to 256.',
    });
    expect(fieldErrors({ ...fields, seed: parseSeedInput('1.5') }).seed).toBeDefined();
    expect(parseSeedInput(' ')).toBeNull();
    expect(parseSeedInput('42')).toBe(42);
  });
});

describe('save errors', () => {
  it('places the error at the field the API named', () => {
    const error = Object.assign(new Error('feather must be an integer in [0, 256]'), {
      code: 'BAD_USER_INPUT',
      errors: [
        {
          message: 'feather must be an integer in [0, 256]',
          extensions: { code: 'BAD_USER_INPUT', field: 'feather' },
        },
      ],
    });
    expect(toSaveError(error)).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'feather must be an integer in [0, 256]',
      field: 'feather',
    });
  });

  it('puts polygon errors on the points and unknown failures on the region', () => {
    expect(toSaveError({ code: 'INVALID_POLYGON', errors: [{ message: 'crosses itself' }] }).field).toBe(
      'points',
    );
    expect(toSaveError(new Error('offline'))).toEqual({ code: 'UNKNOWN', message: 'offline', field: null });
  });
});
