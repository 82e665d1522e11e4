import { describe, expect, it } from 'vitest';
import {
  closestOnSegment,
  hitsPolygon,
  nearestEdge,
  nearestVertex,
  topmostRegionAt,
} from '../lib/region-editor/geometry';
import { deleteVertex, insertVertex, movePolygon, moveVertex } from '../lib/region-editor/polygon-edit';
import { describeRejection, shapeProblem } from '../lib/region-editor/shape-validity';
import {
  canvasToScreen,
  fitViewport,
  screenToCanvas,
  screenToCanvasDistance,
} from '../lib/region-editor/viewport';

const canvas = { width: 100, height: 50 };
const square = [
  { x: 10, y: 10 },
  { x: 30, y: 10 },
  { x: 30, y: 30 },
  { x: 10, y: 30 },
];

describe('hit testing', () => {
  it('finds points inside and outside a polygon', () => {
    expect(hitsPolygon({ x: 20, y: 20 }, square)).toBe(true);
    expect(hitsPolygon({ x: 31, y: 20 }, square)).toBe(false);
    expect(hitsPolygon({ x: 20, y: 20 }, square.slice(0, 2))).toBe(false);
  });

  it('picks the nearest vertex within the radius only', () => {
    expect(nearestVertex({ x: 29, y: 11 }, square, 3)).toBe(1);
    expect(nearestVertex({ x: 20, y: 20 }, square, 3)).toBeNull();
  });

  it('picks the nearest edge and the closest point on it', () => {
    expect(nearestEdge({ x: 20, y: 12 }, square, 3)).toEqual({
      index: 0,
      point: { x: 20, y: 10 },
      distance: 2,
    });
    // The closing edge runs from the last vertex back to the first.
    expect(nearestEdge({ x: 9, y: 20 }, square, 3)?.index).toBe(3);
    expect(nearestEdge({ x: 20, y: 20 }, square, 3)).toBeNull();
  });

  it('clamps the projection to the segment ends', () => {
    expect(closestOnSegment({ x: -5, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toEqual({
      point: { x: 0, y: 0 },
      t: 0,
    });
  });

  it('prefers the region on top where regions overlap', () => {
    const shifted = square.map((p) => ({ x: p.x + 10, y: p.y }));
    expect(topmostRegionAt({ x: 25, y: 20 }, [square, shifted])).toBe(1);
    expect(topmostRegionAt({ x: 15, y: 20 }, [square, shifted])).toBe(0);
    expect(topmostRegionAt({ x: 90, y: 40 }, [square, shifted])).toBeNull();
  });
});

describe('screen and canvas coordinates', () => {
  it('fits a wide canvas into a box, centred vertically', () => {
    const viewport = fitViewport(canvas, { left: 100, top: 50, width: 200, height: 200 });
    expect(viewport).toEqual({ scale: 2, offsetX: 100, offsetY: 100 });
    expect(screenToCanvas(viewport, { x: 160, y: 140 })).toEqual({ x: 30, y: 20 });
    expect(canvasToScreen(viewport, { x: 30, y: 20 })).toEqual({ x: 160, y: 140 });
    expect(screenToCanvasDistance(viewport, 8)).toBe(4);
  });

  it('rounds to whole canvas pixels and survives an unmeasured box', () => {
    const viewport = fitViewport(canvas, { left: 0, top: 0, width: 300, height: 150 });
    expect(screenToCanvas(viewport, { x: 10, y: 10 })).toEqual({ x: 3, y: 3 });
    expect(fitViewport(canvas, { left: 0, top: 0, width: 0, height: 0 }).scale).toBe(1);
  });
});

describe('polygon edits', () => {
  it('moves a polygon but stops it at the canvas edge', () => {
    expect(movePolygon(square, { x: 5, y: -3 }, canvas)[0]).toEqual({ x: 15, y: 7 });
    const moved = movePolygon(square, { x: 500, y: -500 }, canvas);
    expect(moved).toEqual([
      { x: 80, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 20 },
      { x: 80, y: 20 },
    ]);
  });

  it('drags one vertex and clamps it to the canvas', () => {
    const dragged = moveVertex(square, 2, { x: 120, y: 40 }, canvas);
    expect(dragged[2]).toEqual({ x: 100, y: 40 });
    expect(dragged[0]).toBe(square[0]);
    expect(moveVertex(square, 9, { x: 1, y: 1 }, canvas)).toEqual(square);
  });

  it('inserts a vertex after the edge start', () => {
    const { points, index } = insertVertex(square, 3, { x: 10, y: 20 }, canvas);
    expect(index).toBe(4);
    expect(points).toHaveLength(5);
    expect(points[4]).toEqual({ x: 10, y: 20 });
  });

  it('deletes vertices but never below three', () => {
    const triangle = deleteVertex(square, 0);
    expect(triangle).toEqual(square.slice(1));
    expect(deleteVertex(triangle!, 0)).toBeNull();
    expect(deleteVertex(square, 7)).toBeNull();
  });
});

describe('shape validity (the API rules)', () => {
  it('accepts a plain square', () => {
    expect(shapeProblem(square, canvas)).toBeNull();
  });

  it('flags a bow tie as self-intersecting', () => {
    const bowTie = [square[0]!, square[2]!, square[1]!, square[3]!];
    expect(shapeProblem(bowTie, canvas)?.reason).toBe('SELF_INTERSECTING');
    expect(describeRejection('SELF_INTERSECTING')).toBe('Edges cross each other');
  });

  it('flags too few points, points off the canvas and slivers', () => {
    expect(shapeProblem(square.slice(0, 2), canvas)?.reason).toBe('TOO_FEW_POINTS');
    expect(shapeProblem([...square.slice(0, 3), { x: 10, y: 60 }], canvas)?.reason).toBe('OUTSIDE_CANVAS');
    const sliver = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 1 },
    ];
    expect(shapeProblem(sliver, canvas)).toMatchObject({ reason: 'TOO_SMALL' });
  });
});
