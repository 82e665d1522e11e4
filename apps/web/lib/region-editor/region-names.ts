/** The names regions go by on screen ("Region 2"), shared by the editor's list and the references panel. */
import type { RegionDraft } from './editor-state';
import type { Baseline } from './save-plan';

/** Regions are numbered by their place in the stack, bottom first, as the editor lists them. */
export function regionLabel(index: number): string {
  return `Region ${index + 1}`;
}

/**
 * The names of the saved regions by server id, numbered as the editor shows them now. A region drawn and
 * saved in this visit is named as soon as it has an id; drafts not saved yet have no id to bind to.
 */
export function savedRegionNames(drafts: readonly RegionDraft[], baseline: Baseline): Map<string, string> {
  const names = new Map<string, string>();
  drafts.forEach((draft, index) => {
    const saved = baseline.get(draft.key);
    if (saved) names.set(saved.id, regionLabel(index));
  });
  return names;
}
