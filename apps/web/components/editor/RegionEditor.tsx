'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import {
  addRectangle,
  cancelDrawing,
  closeDrawing,
  createEditorState,
  deleteSelection,
  type EditorState,
  nudgeSelection,
  removeRegion,
  reorder,
  select,
  selectedRegion,
  updateFields,
} from '../../lib/region-editor/editor-state';
import type { Size } from '../../lib/region-editor/geometry';
import {
  canRedo,
  canUndo,
  commit,
  createHistory,
  type History,
  push,
  redo,
  replace,
  undo,
} from '../../lib/region-editor/history';
import type { EditorCommand } from '../../lib/region-editor/keyboard';
import { fieldErrors } from '../../lib/region-editor/region-fields';
import { regionLabel, savedRegionNames } from '../../lib/region-editor/region-names';
import { type SaveError, toSaveError } from '../../lib/region-editor/save-error';
import {
  applySaved,
  type Baseline,
  isUnsaved,
  planSave,
  type SavedRegion,
  type SaveOperation,
  toDraft,
} from '../../lib/region-editor/save-plan';
import { type ShapeProblem, shapeProblem } from '../../lib/region-editor/shape-validity';
import { CanvasEditor, type ChangeStep, type EditorMode } from './CanvasEditor';
import styles from './editor.module.css';
import { type ModelOption, RegionForm } from './RegionForm';
import { RegionList } from './RegionList';

export interface RegionEditorProps {
  canvas: Size;
  imageUrl: string | null;
  /** The project's regions as the API has them. */
  regions: readonly SavedRegion[];
  models: readonly ModelOption[];
  /** Sends one operation; resolves to the new region's id for additions. */
  saveOperation(operation: SaveOperation): Promise<string | undefined>;
  /** The selected region's server id (null when none, or not saved yet), for binding references. */
  onSelectRegion?(regionId: string | null): void;
  /** The saved regions' names by server id, as the list shows them; again after every save or reorder. */
  onRegionNames?(names: ReadonlyMap<string, string>): void;
}

/** Owns the undo history and the saved baseline; the canvas, list and form only ask for changes. */
export function RegionEditor({
  canvas,
  imageUrl,
  regions,
  models,
  saveOperation,
  onSelectRegion,
  onRegionNames,
}: RegionEditorProps) {
  const [history, setHistory] = useState<History<EditorState>>(() =>
    createHistory(createEditorState(regions.map(toDraft))),
  );
  const [baseline, setBaseline] = useState<Baseline>(() => new Map(regions.map((r) => [r.id, r])));
  const [mode, setMode] = useState<EditorMode>('select');
  const [saving, setSaving] = useState(false);
  const [saveErrors, setSaveErrors] = useState<ReadonlyMap<string, SaveError>>(new Map());
  const [removeError, setRemoveError] = useState<SaveError | null>(null);
  const editStart = useRef<EditorState | null>(null);
  const state = history.present;

  const problems = useMemo(() => {
    const found = new Map<string, ShapeProblem>();
    for (const region of state.regions) {
      const problem = shapeProblem(region.points, canvas);
      if (problem) found.set(region.key, problem);
    }
    return found;
  }, [state.regions, canvas]);
  const unsaved = useMemo(
    () => new Set(state.regions.filter((r) => isUnsaved(r, baseline)).map((r) => r.key)),
    [state.regions, baseline],
  );
  const operations = useMemo(() => planSave(state.regions, baseline), [state.regions, baseline]);
  const blocked = state.regions.filter(
    (r) => problems.has(r.key) || Object.keys(fieldErrors(r)).length > 0,
  ).length;

  const selectedKey = state.selection?.key;
  const selectedId = selectedKey === undefined ? null : (baseline.get(selectedKey)?.id ?? null);
  useEffect(() => onSelectRegion?.(selectedId), [selectedId, onSelectRegion]);
  const names = useMemo(() => savedRegionNames(state.regions, baseline), [state.regions, baseline]);
  useEffect(() => onRegionNames?.(names), [names, onRegionNames]);

  function apply(change: (s: EditorState) => EditorState, step: ChangeStep) {
    setHistory((h) => {
      const next = change(h.present);
      return step === 'push' ? push(h, next) : replace(h, next);
    });
  }

  function commitFrom(before: EditorState) {
    setHistory((h) => commit(h, before));
  }

  function onCommand(command: EditorCommand) {
    switch (command.type) {
      case 'undo':
        setHistory(undo);
        return;
      case 'redo':
        setHistory(redo);
        return;
      case 'cancel':
        if (state.drawing) apply(cancelDrawing, 'replace');
        else apply((s) => select(s, null), 'replace');
        return;
      case 'close':
        apply(closeDrawing, 'push');
        setMode('select');
        return;
      case 'delete':
        apply(deleteSelection, 'push');
        return;
      case 'nudge':
        apply((s) => nudgeSelection(s, { x: command.dx, y: command.dy }, canvas), 'push');
        return;
      case 'raise':
      case 'lower':
        if (state.selection) {
          const key = state.selection.key;
          apply((s) => reorder(s, key, command.type === 'raise' ? 1 : -1), 'push');
        }
        return;
    }
  }

  async function save() {
    const drafts = new Map(state.regions.map((r) => [r.key, r]));
    setSaving(true);
    setSaveErrors(new Map());
    setRemoveError(null);
    let current: Baseline = baseline;
    for (const operation of operations) {
      try {
        const id = await saveOperation(operation);
        current = applySaved(current, operation, drafts.get(operation.key), id);
        setBaseline(current);
      } catch (error) {
        const failure = toSaveError(error);
        if (operation.kind === 'remove') setRemoveError(failure);
        else setSaveErrors(new Map([[operation.key, failure]]));
        break;
      }
    }
    setSaving(false);
  }

  const selected = selectedRegion(state);
  const selectedIndex = selected ? state.regions.indexOf(selected) : -1;

  return (
    <section className={styles.editor} aria-label="Region editor">
      <div className={styles.toolbar} role="toolbar" aria-label="Editor tools">
        <button type="button" aria-pressed={mode === 'select'} onClick={() => setMode('select')}>
          Select
        </button>
        <button
          type="button"
          aria-pressed={mode === 'draw'}
          onClick={() => {
            apply((s) => select(s, null), 'replace');
            setMode('draw');
          }}
        >
          Draw polygon
        </button>
        {mode === 'draw' && (state.drawing?.length ?? 0) >= 3 ? (
          <button
            type="button"
            onClick={() => {
              apply(closeDrawing, 'push');
              setMode('select');
            }}
          >
            Finish shape
          </button>
        ) : null}
        <button type="button" onClick={() => apply((s) => addRectangle(s, canvas), 'push')}>
          Add rectangle
        </button>
        <button type="button" disabled={!canUndo(history)} onClick={() => setHistory(undo)}>
          Undo
        </button>
        <button type="button" disabled={!canRedo(history)} onClick={() => setHistory(redo)}>
          Redo
        </button>
        <span className={styles.saveArea}>
          <span role="status" className={operations.length > 0 ? styles.dirty : 'muted'}>
            {saving
              ? 'Saving…'
              : operations.length > 0
                ? `Unsaved changes: ${operations.length}`
                : 'All changes saved'}
          </span>
          <button
            type="button"
            className="primary"
            disabled={saving || operations.length === 0 || blocked > 0}
            onClick={save}
          >
            Save regions
          </button>
        </span>
      </div>
      {blocked > 0 ? (
        <p className="error" role="alert">
          {blocked === 1 ? '1 region needs' : `${blocked} regions need`} fixing before saving (marked invalid,
          or with a field error).
        </p>
      ) : null}
      {removeError ? (
        <p className="error" role="alert">
          Could not delete a region: {removeError.message}{' '}
          <code className="error-code">{removeError.code}</code>
        </p>
      ) : null}
      <div className={styles.workspace}>
        <CanvasEditor
          canvas={canvas}
          imageUrl={imageUrl}
          state={state}
          mode={mode}
          problems={problems}
          unsaved={unsaved}
          apply={apply}
          commit={commitFrom}
          onCommand={onCommand}
        />
        <div className={styles.side}>
          <RegionList
            regions={state.regions}
            selectedKey={state.selection?.key ?? null}
            problems={problems}
            unsaved={unsaved}
            onSelect={(key) => {
              setMode('select');
              apply((s) => select(s, { key, vertex: null }), 'replace');
            }}
            onReorder={(key, direction) => apply((s) => reorder(s, key, direction), 'push')}
            onRemove={(key) => apply((s) => removeRegion(s, key), 'push')}
          />
          {selected ? (
            <RegionForm
              key={selected.key}
              region={selected}
              label={regionLabel(selectedIndex)}
              models={models}
              errors={fieldErrors(selected)}
              saveError={saveErrors.get(selected.key) ?? null}
              problem={problems.get(selected.key) ?? null}
              onChange={(patch) => apply((s) => updateFields(s, selected.key, patch), 'replace')}
              onEditStart={() => {
                editStart.current = state;
              }}
              onEditEnd={() => {
                if (editStart.current) commitFrom(editStart.current);
                editStart.current = null;
              }}
            />
          ) : (
            <p className="muted">Select a region to edit its prompt, backend, seed and feather.</p>
          )}
        </div>
      </div>
    </section>
  );
}
