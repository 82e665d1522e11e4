import { describe, expect, it } from 'vitest';
import { addRectangle, createEditorState, reorder } from '../lib/region-editor/editor-state';
import { regionLabel, savedRegionNames } from '../lib/region-editor/region-names';
import { applySaved, planSave, type SavedRegion, toDraft } from '../lib/region-editor/save-plan';

const saved = (id: string, zOrder: number): SavedRegion => ({
  id,
  points: [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 10 },
  ],
  prompt: id,
  negativePrompt: '',
  model: '',
  seed: null,
  feather: 8,
  zOrder,
});

describe('region names', () => {
  it('numbers regions from 1, bottom of the stack first', () => {
    expect(regionLabel(0)).toBe('Region 1');
    expect(regionLabel(4)).toBe('Region 5');
  });

  it('names saved regions by id as the editor lists them, and follows a reorder', () => {
    const regions = [saved('b', 1), saved('a', 0)];
    const baseline = new Map(regions.map((r) => [r.id, r]));
    const state = createEditorState(regions.map(toDraft));
    expect([...savedRegionNames(state.regions, baseline)]).toEqual([
      ['a', 'Region 1'],
      ['b', 'Region 2'],
    ]);
    const raised = reorder(state, 'a', 1);
    expect(savedRegionNames(raised.regions, baseline).get('a')).toBe('Region 2');
  });

  it('names a new region once it is saved, not while it is a draft', () => {
    const baseline = new Map([['a', saved('a', 0)]]);
    const state = addRectangle(createEditorState([toDraft(saved('a', 0))]), { width: 100, height: 100 });
    expect([...savedRegionNames(state.regions, baseline).keys()]).toEqual(['a']);
    const [add] = planSave(state.regions, baseline);
    const draft = state.regions.find((r) => r.key === add!.key);
    const after = applySaved(baseline, add!, draft, 'new-id');
    expect(savedRegionNames(state.regions, after).get('new-id')).toBe('Region 2');
  });
});
