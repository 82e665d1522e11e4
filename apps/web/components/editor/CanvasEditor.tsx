'use client';

import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import {
  addDrawingPoint,
  addVertex,
  closeDrawing,
  type EditorState,
  select,
  setPoints,
} from '../../lib/region-editor/editor-state';
import {
  distance,
  nearestEdge,
  nearestVertex,
  type Point,
  type Size,
  topmostRegionAt,
} from '../../lib/region-editor/geometry';
import { type EditorCommand, keyCommand } from '../../lib/region-editor/keyboard';
import { movePolygon, moveVertex } from '../../lib/region-editor/polygon-edit';
import { regionLabel } from '../../lib/region-editor/region-names';
import { describeRejection, type ShapeProblem } from '../../lib/region-editor/shape-validity';
import { fitViewport, screenToCanvas, screenToCanvasDistance } from '../../lib/region-editor/viewport';
import styles from './editor.module.css';

export type EditorMode = 'select' | 'draw';

/** How a change enters the undo history: as a step, or silently (selection, a drag in progress). */
export type ChangeStep = 'push' | 'replace';

export interface CanvasEditorProps {
  canvas: Size;
  imageUrl: string | null;
  state: EditorState;
  mode: EditorMode;
  problems: ReadonlyMap<string, ShapeProblem>;
  unsaved: ReadonlySet<string>;
  apply(change: (state: EditorState) => EditorState, step: ChangeStep): void;
  /** Ends a drag: `before` becomes the undo step for everything the drag changed. */
  commit(before: EditorState): void;
  onCommand(command: EditorCommand): void;
}

/** Pointer slack in screen pixels for grabbing a vertex or an edge. */
const GRAB_PX = 10;

type Drag =
  | { kind: 'vertex'; key: string; index: number; start: EditorState; before: EditorState; points: Point[] }
  | { kind: 'move'; key: string; origin: Point; start: EditorState; before: EditorState; points: Point[] };

const ringText = (points: readonly Point[]) => points.map((p) => `${p.x},${p.y}`).join(' ');

export function CanvasEditor(props: CanvasEditorProps) {
  const { canvas, imageUrl, state, mode, problems, unsaved, apply, commit, onCommand } = props;
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<Drag | null>(null);
  // Handles keep a constant size on screen whatever the canvas size.
  const handle = Math.max(canvas.width, canvas.height) / 120;

  function locate(event: PointerEvent): { point: Point; radius: number } {
    const box = svgRef.current!.getBoundingClientRect();
    const viewport = fitViewport(canvas, box);
    return {
      point: screenToCanvas(viewport, { x: event.clientX, y: event.clientY }),
      radius: screenToCanvasDistance(viewport, GRAB_PX),
    };
  }

  function onPointerDown(event: PointerEvent<SVGSVGElement>) {
    if (event.button !== 0) return;
    const { point, radius } = locate(event);
    if (mode === 'draw') {
      const first = state.drawing?.[0];
      const closes = first !== undefined && state.drawing!.length >= 3 && distance(first, point) <= radius;
      apply((s) => (closes ? closeDrawing(s) : addDrawingPoint(s, point, canvas)), 'push');
      return;
    }
    event.currentTarget.setPointerCapture?.(event.pointerId);
    const selected = state.regions.find((r) => r.key === state.selection?.key);
    if (selected) {
      const vertex = nearestVertex(point, selected.points, radius);
      if (vertex !== null) {
        const start = select(state, { key: selected.key, vertex });
        drag.current = {
          kind: 'vertex',
          key: selected.key,
          index: vertex,
          start,
          before: state,
          points: selected.points,
        };
        apply(() => start, 'replace');
        return;
      }
      const edge = nearestEdge(point, selected.points, radius);
      if (edge !== null) {
        const start = addVertex(state, selected.key, edge.index, point, canvas);
        const points = start.regions.find((r) => r.key === selected.key)!.points;
        drag.current = {
          kind: 'vertex',
          key: selected.key,
          index: edge.index + 1,
          start,
          before: state,
          points,
        };
        apply(() => start, 'replace');
        return;
      }
    }
    const hit = topmostRegionAt(
      point,
      state.regions.map((r) => r.points),
    );
    if (hit === null) {
      apply((s) => select(s, null), 'replace');
      return;
    }
    const region = state.regions[hit]!;
    const start = select(state, { key: region.key, vertex: null });
    drag.current = {
      kind: 'move',
      key: region.key,
      origin: point,
      start,
      before: state,
      points: region.points,
    };
    apply(() => start, 'replace');
  }

  function onPointerMove(event: PointerEvent<SVGSVGElement>) {
    const current = drag.current;
    if (!current) return;
    const { point } = locate(event);
    const points =
      current.kind === 'vertex'
        ? moveVertex(current.points, current.index, point, canvas)
        : movePolygon(
            current.points,
            { x: point.x - current.origin.x, y: point.y - current.origin.y },
            canvas,
          );
    apply(() => setPoints(current.start, current.key, points), 'replace');
  }

  function onPointerUp() {
    const current = drag.current;
    if (!current) return;
    drag.current = null;
    commit(current.before);
  }

  function onKeyDown(event: KeyboardEvent) {
    const command = keyCommand(event);
    if (!command) return;
    event.preventDefault();
    onCommand(command);
  }

  const drawing = state.drawing ?? [];
  const selected = state.regions.find((r) => r.key === state.selection?.key);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the keys act on the canvas and its focusable handles inside
    <div className={styles.stage} onKeyDown={onKeyDown}>
      <svg
        ref={svgRef}
        className={`${styles.canvas} ${mode === 'draw' ? styles.drawing : ''}`}
        viewBox={`0 0 ${canvas.width} ${canvas.height}`}
        role="application"
        aria-label={
          mode === 'draw'
            ? 'Canvas: click to add points, click the first point or press Enter to close, Escape to cancel'
            : 'Canvas: click a region to select it, drag to move it or its vertices; arrows nudge, Delete removes'
        }
        aria-roledescription="region editor"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the canvas is a keyboard-driven widget (role application)
        tabIndex={0}
        data-testid="region-canvas"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        {imageUrl ? (
          <image
            href={imageUrl}
            x={0}
            y={0}
            width={canvas.width}
            height={canvas.height}
            preserveAspectRatio="none"
          />
        ) : (
          <rect x={0} y={0} width={canvas.width} height={canvas.height} className={styles.blank} />
        )}
        {state.regions.map((region, index) => {
          const problem = problems.get(region.key);
          const classes = [
            styles.region,
            region.key === selected?.key ? styles.selected : '',
            problem ? styles.invalid : '',
            unsaved.has(region.key) ? styles.unsaved : '',
          ];
          return (
            <polygon
              key={region.key}
              points={ringText(region.points)}
              className={classes.join(' ')}
              data-testid={`region-shape-${index + 1}`}
              data-invalid={problem ? problem.reason : undefined}
            >
              <title>
                {`${regionLabel(index)}${problem ? ` (invalid: ${describeRejection(problem.reason)})` : ''}`}
              </title>
            </polygon>
          );
        })}
        {selected?.points.map((p, index) => (
          // biome-ignore lint/a11y/useSemanticElements: SVG cannot hold a <button>; the handle acts as one
          <circle
            // biome-ignore lint/suspicious/noArrayIndexKey: vertices have no identity beyond their place in the ring
            key={index}
            cx={p.x}
            cy={p.y}
            r={handle}
            tabIndex={0}
            role="button"
            aria-label={`Vertex ${index + 1} at ${p.x}, ${p.y}`}
            aria-pressed={state.selection?.vertex === index}
            className={`${styles.handle} ${state.selection?.vertex === index ? styles.handleActive : ''}`}
            onFocus={() => apply((s) => select(s, { key: selected.key, vertex: index }), 'replace')}
          />
        ))}
        {drawing.length > 0 ? (
          <g data-testid="drawing">
            <polyline points={ringText(drawing)} className={styles.drawingLine} />
            {drawing.map((p, index) => (
              <circle
                // biome-ignore lint/suspicious/noArrayIndexKey: points being drawn only grow at the end
                key={index}
                cx={p.x}
                cy={p.y}
                r={index === 0 ? handle * 1.5 : handle}
                className={index === 0 ? styles.firstPoint : styles.handle}
              />
            ))}
          </g>
        ) : null}
      </svg>
    </div>
  );
}
