'use client';

import { useCallback, useEffect, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import { readFragment } from '../../lib/graphql';
import { latestImageUrl } from '../../lib/region-editor/latest-image';
import {
  AddRegionMutation,
  EditorProjectQuery,
  RegionFieldsFragment,
  RemoveRegionMutation,
  UpdateRegionMutation,
} from '../../lib/region-editor/region-documents';
import { fromApiRegion, type SavedRegion, type SaveOperation } from '../../lib/region-editor/save-plan';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { ReferencesPanel } from '../references/ReferencesPanel';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import { RegionEditor } from './RegionEditor';
import type { ModelOption } from './RegionForm';

interface Loaded {
  canvas: { width: number; height: number };
  imageUrl: string | null;
  regions: SavedRegion[];
  models: ModelOption[];
}

async function sendOperation(projectId: string, operation: SaveOperation): Promise<string | undefined> {
  switch (operation.kind) {
    case 'remove':
      await gqlRequest(RemoveRegionMutation, { input: { id: operation.id } });
      return undefined;
    case 'update':
      await gqlRequest(UpdateRegionMutation, { input: { id: operation.id, ...operation.patch } });
      return undefined;
    case 'add': {
      const data = await gqlRequest(AddRegionMutation, { input: { projectId, ...operation.input } });
      return readFragment(RegionFieldsFragment, data.addRegion.region).id;
    }
  }
}

/** Loads a project's canvas, regions, latest image and the backends, then hands them to the editor. */
export function ProjectEditor({ projectId }: { projectId: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [selectedRegionId, setSelectedRegionId] = useState<string | null>(null);
  // From the editor, not the load: a region drawn and saved in this visit is named at once.
  const [regionNames, setRegionNames] = useState<ReadonlyMap<string, string>>(new Map());
  const toSignIn = useSignInRedirect();

  const load = useCallback(async () => {
    setError(null);
    try {
      const data = await gqlRequest(EditorProjectQuery, { id: projectId });
      if (!data.project) {
        setError({
          code: 'NOT_FOUND',
          message: 'This project does not exist or belongs to another organization.',
        });
        return;
      }
      setLoaded({
        canvas: { width: data.project.width, height: data.project.height },
        imageUrl: latestImageUrl(data.project.runs.edges.map((e) => e.node)),
        regions: readFragment(RegionFieldsFragment, data.project.regions).map(fromApiRegion),
        models: data.models.map((m) => ({ name: m.name, available: m.available })),
      });
    } catch (cause) {
      if (!toSignIn(cause)) setError(toDisplayError(cause));
    }
  }, [projectId, toSignIn]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = useCallback((operation: SaveOperation) => sendOperation(projectId, operation), [projectId]);

  if (error) {
    return (
      <div>
        <ErrorMessage error={error} prefix="Could not load the editor:" />
        <button type="button" onClick={() => void load()}>
          Try again
        </button>
      </div>
    );
  }
  if (!loaded) return <p className="muted">Loading the editor…</p>;
  return (
    <>
      <RegionEditor
        canvas={loaded.canvas}
        imageUrl={loaded.imageUrl}
        regions={loaded.regions}
        models={loaded.models}
        saveOperation={save}
        onSelectRegion={setSelectedRegionId}
        onRegionNames={setRegionNames}
      />
      <ReferencesPanel projectId={projectId} regionId={selectedRegionId} regionNames={regionNames} />
    </>
  );
}
