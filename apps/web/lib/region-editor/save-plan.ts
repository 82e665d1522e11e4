/**
 * What to send to make the API match the editor: the regions as last saved (the baseline, keyed like
 * the drafts) against the drafts now. Server ids live in the baseline, not in the drafts, so undoing
 * past a save never makes a saved region look new.
 */

import type { RegionDraft } from './editor-state';
import type { Point } from './geometry';

export interface SavedRegion extends Omit<RegionDraft, 'key'> {
  id: string;
}

export type Baseline = ReadonlyMap<string, SavedRegion>;

export interface RegionPatch {
  points?: Point[];
  prompt?: string;
  /** null clears it. */
  negativePrompt?: string | null;
  /** null lets the selector choose. */
  model?: string | null;
  seed?: number | null;
  feather?: number;
  zOrder?: number;
}

export type SaveOperation =
  | { kind: 'remove'; key: string; id: string }
  | { kind: 'update'; key: string; id: string; patch: RegionPatch }
  | { kind: 'add'; key: string; input: Required<RegionPatch> & { points: Point[]; prompt: string } };

function samePoints(a: readonly Point[], b: readonly Point[]): boolean {
  return a.length === b.length && a.every((p, i) => p.x === b[i]!.x && p.y === b[i]!.y);
}

const orNull = (text: string): string | null => (text.trim() === '' ? null : text);

/** The fields of a draft that differ from its saved version, in the API's update shape. */
export function regionPatch(draft: RegionDraft, saved: SavedRegion): RegionPatch {
  const patch: RegionPatch = {};
  if (!samePoints(draft.points, saved.points)) patch.points = draft.points;
  if (draft.prompt !== saved.prompt) patch.prompt = draft.prompt;
  if (orNull(draft.negativePrompt) !== orNull(saved.negativePrompt))
    patch.negativePrompt = orNull(draft.negativePrompt);
  if (orNull(draft.model) !== orNull(saved.model)) patch.model = orNull(draft.model);
  if (draft.seed !== saved.seed) patch.seed = draft.seed;
  if (draft.feather !== saved.feather) patch.feather = draft.feather;
  if (draft.zOrder !== saved.zOrder) patch.zOrder = draft.zOrder;
  return patch;
}

export function isUnsaved(draft: RegionDraft, baseline: Baseline): boolean {
  const saved = baseline.get(draft.key);
  return !saved || Object.keys(regionPatch(draft, saved)).length > 0;
}

/** Removals first (they free places under the region limit), then updates, then additions. */
export function planSave(drafts: readonly RegionDraft[], baseline: Baseline): SaveOperation[] {
  const keys = new Set(drafts.map((d) => d.key));
  const operations: SaveOperation[] = [];
  for (const [key, saved] of baseline) {
    if (!keys.has(key)) operations.push({ kind: 'remove', key, id: saved.id });
  }
  for (const draft of drafts) {
    const saved = baseline.get(draft.key);
    if (!saved) continue;
    const patch = regionPatch(draft, saved);
    if (Object.keys(patch).length > 0)
      operations.push({ kind: 'update', key: draft.key, id: saved.id, patch });
  }
  for (const draft of drafts) {
    if (baseline.has(draft.key)) continue;
    operations.push({
      kind: 'add',
      key: draft.key,
      input: {
        points: draft.points,
        prompt: draft.prompt,
        negativePrompt: orNull(draft.negativePrompt),
        model: orNull(draft.model),
        seed: draft.seed,
        feather: draft.feather,
        zOrder: draft.zOrder,
      },
    });
  }
  return operations;
}

/** The baseline after one operation succeeded (for additions, with the id the API gave the region). */
export function applySaved(
  baseline: Baseline,
  operation: SaveOperation,
  draft: RegionDraft | undefined,
  id?: string,
): Map<string, SavedRegion> {
  const next = new Map(baseline);
  if (operation.kind === 'remove') {
    next.delete(operation.key);
    return next;
  }
  const savedId = operation.kind === 'update' ? operation.id : id;
  if (!draft || !savedId) return next;
  const { key: _key, ...fields } = draft;
  next.set(operation.key, { ...fields, points: [...draft.points], id: savedId });
  return next;
}

export interface ApiRegion {
  id: string;
  points: readonly Point[];
  prompt: string;
  negativePrompt: string | null;
  model: string | null;
  seed: number | null;
  feather: number;
  zOrder: number;
}

/** A region as the API returned it, in the baseline's shape ('' for the absent optional texts). */
export function fromApiRegion(region: ApiRegion): SavedRegion {
  return {
    id: region.id,
    points: region.points.map((p) => ({ x: p.x, y: p.y })),
    prompt: region.prompt,
    negativePrompt: region.negativePrompt ?? '',
    model: region.model ?? '',
    seed: region.seed,
    feather: region.feather,
    zOrder: region.zOrder,
  };
}

/** Drafts keyed by server id, for regions loaded from the API. */
export function toDraft(saved: SavedRegion): RegionDraft {
  const { id, ...fields } = saved;
  return { ...fields, key: id, points: [...saved.points] };
}
