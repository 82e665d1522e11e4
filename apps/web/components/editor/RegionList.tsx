'use client';

import type { RegionDraft } from '../../lib/region-editor/editor-state';
import { regionLabel } from '../../lib/region-editor/region-names';
import { describeRejection, type ShapeProblem } from '../../lib/region-editor/shape-validity';
import styles from './editor.module.css';

export interface RegionListProps {
  regions: readonly RegionDraft[];
  selectedKey: string | null;
  problems: ReadonlyMap<string, ShapeProblem>;
  unsaved: ReadonlySet<string>;
  onSelect(key: string): void;
  onReorder(key: string, direction: 1 | -1): void;
  onRemove(key: string): void;
}

/** Top of the stack first, as in layer panels; each row can be raised, lowered or removed. */
export function RegionList({
  regions,
  selectedKey,
  problems,
  unsaved,
  onSelect,
  onReorder,
  onRemove,
}: RegionListProps) {
  if (regions.length === 0) {
    return <p className="muted">No regions yet: draw one on the canvas or add a rectangle.</p>;
  }
  const rows = regions.map((region, index) => ({ region, index })).reverse();
  return (
    <ol className={styles.list} aria-label="Regions, top first">
      {rows.map(({ region, index }) => {
        const problem = problems.get(region.key);
        const name = regionLabel(index);
        return (
          <li key={region.key} className={region.key === selectedKey ? styles.listSelected : undefined}>
            <button
              type="button"
              className={styles.listName}
              aria-pressed={region.key === selectedKey}
              onClick={() => onSelect(region.key)}
            >
              {name}
              <span className="muted small"> {region.prompt.trim() || '(no prompt yet)'}</span>
            </button>
            {unsaved.has(region.key) ? <span className="badge">unsaved</span> : null}
            {problem ? (
              <span className={`badge ${styles.badgeInvalid}`} title={problem.message}>
                invalid: {describeRejection(problem.reason)}
              </span>
            ) : null}
            <span className={styles.listActions}>
              <button
                type="button"
                aria-label={`Raise ${name}`}
                disabled={index === regions.length - 1}
                onClick={() => onReorder(region.key, 1)}
              >
                ↑
              </button>
              <button
                type="button"
                aria-label={`Lower ${name}`}
                disabled={index === 0}
                onClick={() => onReorder(region.key, -1)}
              >
                ↓
              </button>
              <button type="button" aria-label={`Delete ${name}`} onClick={() => onRemove(region.key)}>
                ✕
              </button>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
