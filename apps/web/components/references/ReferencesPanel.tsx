'use client';

import { type DragEvent, useCallback, useEffect, useId, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import { type ResultOf, readFragment } from '../../lib/graphql';
import {
  AddReferenceMutation,
  ProjectReferencesQuery,
  ReferenceFieldsFragment,
  UnderstandReferenceMutation,
} from '../../lib/references/reference-documents';
import { bindingLabel, checkFiles } from '../../lib/references/reference-files';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { ReferenceItem } from './ReferenceItem';
import styles from './references.module.css';

type Reference = ResultOf<typeof ReferenceFieldsFragment>;

export interface ReferencesPanelProps {
  projectId: string;
  /** The region selected in the editor (saved ones only); uploads can be bound to it. */
  regionId: string | null;
  /** Display names of the project's regions by id ("Region 2"). */
  regionNames: ReadonlyMap<string, string>;
}

export function ReferencesPanel({ projectId, regionId, regionNames }: ReferencesPanelProps) {
  const inputId = useId();
  const [references, setReferences] = useState<readonly Reference[] | null>(null);
  const [loadError, setLoadError] = useState<DisplayError | null>(null);
  const [uploadErrors, setUploadErrors] = useState<string[]>([]);
  const [actionError, setActionError] = useState<DisplayError | null>(null);
  const [uploading, setUploading] = useState(0);
  const [bindToRegion, setBindToRegion] = useState(true);
  const [dragging, setDragging] = useState(false);
  const [assessing, setAssessing] = useState<ReadonlySet<string>>(new Set());

  const load = useCallback(async () => {
    try {
      const data = await gqlRequest(ProjectReferencesQuery, { id: projectId });
      setReferences(readFragment(ReferenceFieldsFragment, data.project?.references ?? []));
      setLoadError(null);
    } catch (error) {
      setLoadError(toDisplayError(error));
    }
  }, [projectId]);

  useEffect(() => {
    void load();
  }, [load]);

  const target = bindToRegion && regionId ? regionId : null;

  async function upload(files: Iterable<File>) {
    const checks = checkFiles(files);
    setUploadErrors(checks.flatMap((c) => (c.problem ? [c.problem] : [])));
    const accepted = checks.filter((c) => !c.problem).map((c) => c.file);
    setUploading((n) => n + accepted.length);
    await Promise.all(
      accepted.map(async (file) => {
        try {
          const data = await gqlRequest(AddReferenceMutation, {
            input: { projectId, regionId: target, image: file },
          });
          const added = readFragment(ReferenceFieldsFragment, data.addReference.reference);
          setReferences((list) => [...(list ?? []), added]);
        } catch (error) {
          const { code, message } = toDisplayError(error);
          setUploadErrors((list) => [...list, `${file.name}: ${message} (${code})`]);
        } finally {
          setUploading((n) => n - 1);
        }
      }),
    );
  }

  async function assess(referenceId: string) {
    setAssessing((ids) => new Set(ids).add(referenceId));
    setActionError(null);
    try {
      await gqlRequest(UnderstandReferenceMutation, {
        input: { projectId, kind: 'UNDERSTAND', referenceId },
      });
    } catch (error) {
      setActionError(toDisplayError(error));
      setAssessing((ids) => {
        const next = new Set(ids);
        next.delete(referenceId);
        return next;
      });
    }
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void upload(event.dataTransfer.files);
  }

  return (
    <section className="card" aria-label="References">
      <div className="card-head">
        <h2>References</h2>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <fieldset className={styles.binding}>
        <legend className="small muted">New references apply to</legend>
        <label>
          <input
            type="radio"
            name={`${inputId}-bind`}
            checked={!target}
            onChange={() => setBindToRegion(false)}
          />{' '}
          the whole project
        </label>
        <label>
          <input
            type="radio"
            name={`${inputId}-bind`}
            checked={Boolean(target)}
            disabled={!regionId}
            onChange={() => setBindToRegion(true)}
          />{' '}
          {regionId
            ? `the selected region (${bindingLabel(regionId, regionNames)})`
            : 'a region (select a saved one)'}
        </label>
      </fieldset>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the file input below does the same */}
      <div
        className={`${styles.dropZone} ${dragging ? styles.dragging : ''}`}
        data-testid="reference-drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop images here, or</p>
        <input
          id={inputId}
          className={styles.fileInput}
          type="file"
          accept="image/*"
          multiple
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            void upload(files);
          }}
        />
        <label htmlFor={inputId} className={styles.pick}>
          choose files
        </label>
        {uploading > 0 ? (
          <p role="status">Uploading {uploading === 1 ? '1 image' : `${uploading} images`}…</p>
        ) : null}
      </div>
      {uploadErrors.length > 0 ? (
        <ul className="error" role="alert">
          {uploadErrors.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      ) : null}
      <ErrorMessage error={loadError} prefix="Could not load the references:" />
      <ErrorMessage error={actionError} prefix="Could not start the assessment:" />
      {references === null && !loadError ? <p className="muted">Loading references…</p> : null}
      {references?.length === 0 ? <p className="muted">No references yet.</p> : null}
      <ul className={styles.grid}>
        {(references ?? []).map((reference) => (
          <ReferenceItem
            key={reference.id}
            reference={reference}
            binding={bindingLabel(reference.regionId, regionNames)}
            assessing={assessing.has(reference.id)}
            onAssess={() => void assess(reference.id)}
            onRemoved={() => setReferences((list) => (list ?? []).filter((r) => r.id !== reference.id))}
          />
        ))}
      </ul>
    </section>
  );
}
