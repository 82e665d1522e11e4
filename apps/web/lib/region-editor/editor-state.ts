/**
 * The editor's document: the regions (bottom to top), what is selected and the polygon being drawn.
 * Every operation returns a new state (or the same object when nothing changed), which is what the
 * undo history and React's change detection both rely on.
 */
import type { Point, Size } from './geometry';
import { deleteVertex, insertVertex, MIN_POINTS, movePolygon, moveVertex } from './polygon-edit';
import { clampToCanvas } from './viewport';

export interface RegionFields {
  prompt: string;
  negativePrompt: string;
  /** '' lets the API's selector choose a backend. */
  model: string;
  /** Null derives one from the run seed. */
  seed: number | null;
  feather: number;
}

export interface RegionDraft extends RegionFields {
  /** The server id for regions loaded from the API, `new-<n>` for regions drawn here. */
  key: string;
  points: Point[];
  zOrder: number;
}

export interface Selection {
  key: string;
  /** A selected vertex is what arrows and Delete act on; null means the whole region. */
  vertex: number | null;
}

export interface EditorState {
  regions: readonly RegionDraft[];
  selection: Selection | null;
  /** Points of the polygon being drawn, or null when not drawing. */
  drawing: readonly Point[] | null;
  nextKey: number;
}

/** The API's default feather (px), so a new region looks like what the server would store. */
export const DEFAULT_FEATHER = 8;

export function createEditorState(regions: readonly RegionDraft[]): EditorState {
  return { regions: sortByZOrder(regions), selection: null, drawing: null, nextKey: 1 };
}

function sortByZOrder(regions: readonly RegionDraft[]): RegionDraft[] {
  return regions
    .map((region, index) => ({ region, index }))
    .sort((a, b) => a.region.zOrder - b.region.zOrder || a.index - b.index)
    .map(({ region }) => region);
}

export function selectedRegion(state: EditorState): RegionDraft | null {
  const key = state.selection?.key;
  return key === undefined ? null : (state.regions.find((r) => r.key === key) ?? null);
}

function mapRegion(state: EditorState, key: string, change: (r: RegionDraft) => RegionDraft): EditorState {
  let changed = false;
  const regions = state.regions.map((region) => {
    if (region.key !== key) return region;
    const next = change(region);
    if (next !== region) changed = true;
    return next;
  });
  return changed ? { ...state, regions } : state;
}

export function addDrawingPoint(state: EditorState, point: Point, canvas: Size): EditorState {
  return {
    ...state,
    selection: null,
    drawing: [...(state.drawing ?? []), clampToCanvas(point, canvas)],
  };
}

export function cancelDrawing(state: EditorState): EditorState {
  return state.drawing === null ? state : { ...state, drawing: null };
}

/** Turns the drawn points into a new, selected region on top; too few points leave the drawing open. */
export function closeDrawing(state: EditorState): EditorState {
  const points = state.drawing;
  if (!points || points.length < MIN_POINTS) return state;
  const key = `new-${state.nextKey}`;
  const zOrder = state.regions.reduce((max, r) => Math.max(max, r.zOrder + 1), 0);
  const region: RegionDraft = {
    key,
    points: [...points],
    zOrder,
    prompt: '',
    negativePrompt: '',
    model: '',
    seed: null,
    feather: DEFAULT_FEATHER,
  };
  return {
    ...state,
    regions: [...state.regions, region],
    drawing: null,
    selection: { key, vertex: null },
    nextKey: state.nextKey + 1,
  };
}

/** A centred rectangle of half the canvas size: a start for shapes made with the keyboard only. */
export function addRectangle(state: EditorState, canvas: Size): EditorState {
  const w = Math.round(canvas.width / 2);
  const h = Math.round(canvas.height / 2);
  const x = Math.round((canvas.width - w) / 2);
  const y = Math.round((canvas.height - h) / 2);
  const drawing = [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
  return closeDrawing({ ...state, drawing });
}

export function select(state: EditorState, selection: Selection | null): EditorState {
  const current = state.selection;
  if (current?.key === selection?.key && current?.vertex === selection?.vertex) return state;
  return { ...state, selection };
}

export function setPoints(state: EditorState, key: string, points: Point[]): EditorState {
  return mapRegion(state, key, (r) => ({ ...r, points }));
}

/** Moves the selected vertex, or else the whole selected region, by the delta (kept on the canvas). */
export function nudgeSelection(state: EditorState, delta: Point, canvas: Size): EditorState {
  const selection = state.selection;
  if (!selection) return state;
  return mapRegion(state, selection.key, (r) => {
    if (selection.vertex === null) return { ...r, points: movePolygon(r.points, delta, canvas) };
    const vertex = r.points[selection.vertex];
    if (!vertex) return r;
    return {
      ...r,
      points: moveVertex(
        r.points,
        selection.vertex,
        { x: vertex.x + delta.x, y: vertex.y + delta.y },
        canvas,
      ),
    };
  });
}

export function addVertex(state: EditorState, key: string, edgeIndex: number, at: Point, canvas: Size) {
  const region = state.regions.find((r) => r.key === key);
  if (!region) return state;
  const inserted = insertVertex(region.points, edgeIndex, at, canvas);
  return {
    ...setPoints(state, key, inserted.points),
    selection: { key, vertex: inserted.index },
  };
}

/** Deletes the selected vertex (never below 3 points) or, with no vertex selected, the region. */
export function deleteSelection(state: EditorState): EditorState {
  const selection = state.selection;
  if (!selection) return state;
  if (selection.vertex !== null) {
    const region = state.regions.find((r) => r.key === selection.key);
    const points = region ? deleteVertex(region.points, selection.vertex) : null;
    if (!points) return state;
    return { ...setPoints(state, selection.key, points), selection: { key: selection.key, vertex: null } };
  }
  return removeRegion(state, selection.key);
}

export function removeRegion(state: EditorState, key: string): EditorState {
  if (!state.regions.some((r) => r.key === key)) return state;
  return {
    ...state,
    regions: state.regions.filter((r) => r.key !== key),
    selection: state.selection?.key === key ? null : state.selection,
  };
}

/**
 * Moves a region one place up (+1, drawn later, on top) or down (-1). The z-orders are renumbered
 * 0..n-1 so that regions the API stored with equal z-orders get a definite order.
 */
export function reorder(state: EditorState, key: string, direction: 1 | -1): EditorState {
  const index = state.regions.findIndex((r) => r.key === key);
  const target = index + direction;
  if (index < 0 || target < 0 || target >= state.regions.length) return state;
  const regions = [...state.regions];
  [regions[index], regions[target]] = [regions[target]!, regions[index]!];
  return {
    ...state,
    regions: regions.map((r, zOrder) => (r.zOrder === zOrder ? r : { ...r, zOrder })),
  };
}

export function updateFields(state: EditorState, key: string, patch: Partial<RegionFields>): EditorState {
  return mapRegion(state, key, (r) => {
    const changed = (Object.keys(patch) as (keyof RegionFields)[]).some((field) => patch[field] !== r[field]);
    return changed ? { ...r, ...patch } : r;
  });
}
