'use client';

import { useId, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import { RemoveReferenceMutation } from '../../lib/references/reference-documents';
import { type UnderstandingView, understandingLabel } from '../../lib/references/reference-files';
import { isAlreadyRemoved, referenceName } from '../../lib/references/reference-removal';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import styles from './references.module.css';

export interface ReferenceItemProps {
  reference: {
    id: string;
    description: string | null;
    width: number;
    height: number;
    imageUrl: string;
    understanding: UnderstandingView | null;
  };
  /** What it applies to: "Whole project" or the region's name. */
  binding: string;
  assessing: boolean;
  onAssess: () => void;
  /** After the API removed it (or had already). */
  onRemoved: () => void;
}

/** One reference card: thumbnail, binding, understanding, and its assess and remove actions. */
export function ReferenceItem({ reference, binding, assessing, onAssess, onRemoved }: ReferenceItemProps) {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const name = referenceName(reference);

  async function remove() {
    setRemoving(true);
    setError(null);
    try {
      await gqlRequest(RemoveReferenceMutation, { input: { id: reference.id } });
      onRemoved();
    } catch (cause) {
      if (isAlreadyRemoved(cause)) onRemoved();
      else {
        setError(toDisplayError(cause));
        setRemoving(false);
        setConfirming(false);
      }
    }
  }

  return (
    <li className={styles.item} data-testid="reference-item">
      {/* biome-ignore lint/performance/noImgElement: signed, expiring URLs of a host known only at runtime; next/image would proxy and cache them */}
      <img src={reference.imageUrl} alt={name} loading="lazy" className={styles.thumb} />
      <span className="small" data-testid="reference-binding">
        {binding}
      </span>
      <span className="small muted">
        {reference.width}×{reference.height}
      </span>
      <span className="small" data-testid="understanding">
        {understandingLabel(reference.understanding)}
      </span>
      <button type="button" disabled={assessing || removing} onClick={onAssess}>
        {assessing ? 'Assessment started' : 'Assess understanding'}
      </button>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`} className="small">
            Remove {name}? Runs that already used it keep their results.
          </p>
          <div className="actions">
            <button type="button" disabled={removing} onClick={() => void remove()}>
              {removing ? 'Removing…' : 'Remove for good'}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={removing}
              onClick={() => setConfirming(false)}
            >
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          className="secondary"
          aria-label={`Remove ${name}`}
          onClick={() => {
            setError(null);
            setConfirming(true);
          }}
        >
          Remove
        </button>
      )}
      <ErrorMessage error={error} testId="reference-remove-error" prefix="Could not remove it:" />
    </li>
  );
}
