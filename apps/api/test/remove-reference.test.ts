import { fileURLToPath } from 'node:url';
import { collect, httpClient, wsClient } from '@pakati/testkit';
import { startWorkers } from '@pakati/worker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
  uploadReference,
} from './harness.ts';

const photo = fileURLToPath(new URL('../../../fixtures/photos/coffee.png', import.meta.url));

const REMOVE_REFERENCE = `mutation($input: RemoveReferenceInput!) {
  removeReference(input: $input) { removedReferenceId project { id references { id } } }
}`;
const PROJECT_REFERENCES = `query($id: ID!) { project(id: $id) { references { id imageUrl } } }`;
const RUN = `query($id: ID!) { run(id: $id) { id kind status imageUrl error { code } } }`;

interface RemoveData {
  removeReference: { removedReferenceId: string; project: { id: string; references: { id: string }[] } };
}
interface ReferencesData {
  project: { references: { id: string; imageUrl: string }[] };
}
interface RunData {
  run: { id: string; kind: string; status: string; imageUrl: string | null; error: { code: string } | null };
}

// No worker at first: a queued UNDERSTAND run must stay queued while its reference's removal is tried.
let stack: Stack;
let worker: Awaited<ReturnType<typeof startWorkers>> | null = null;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await worker?.close();
  await stack?.stop();
});

async function smallPhoto(side: number): Promise<Buffer> {
  return sharp(photo).resize(side).png().toBuffer();
}

describe('removeReference', () => {
  it('removes only for the owning organization, keeps shared bytes, and leaves a finished run readable', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const bytes = await smallPhoto(48);
    const assessed = await uploadReference(stack, projectId, bytes);
    // The same bytes again: one content-addressed blob behind two references.
    const twin = await uploadReference(stack, projectId, bytes);

    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'UNDERSTAND', referenceId: assessed, strategies: ['edges'], seed: 5 },
    });
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startRun.run.id;

    // While its assessment is queued the reference must stay: the run records its result against it.
    const early = await stack.alpha.gql(REMOVE_REFERENCE, { input: { id: assessed } });
    expect(early.errors?.[0]?.extensions?.code).toBe('PRECONDITION_FAILED');

    worker = await startWorkers(stack.platform);
    const client = wsClient(stack.api.url, stack.alpha.key);
    const events = (await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    expect(events.at(-1)!.type).toBe('COMPLETED');

    // Another organization cannot see it, so cannot remove it either.
    const foreign = await stack.beta.gql(REMOVE_REFERENCE, { input: { id: assessed } });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const stillThere = await stack.alpha.gql<ReferencesData>(PROJECT_REFERENCES, { id: projectId });
    expect(stillThere.data!.project.references.map((r) => r.id)).toEqual([assessed, twin]);

    const removed = await stack.alpha.gql<RemoveData>(REMOVE_REFERENCE, { input: { id: assessed } });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeReference.removedReferenceId).toBe(assessed);
    expect(removed.data!.removeReference.project).toEqual({ id: projectId, references: [{ id: twin }] });

    const listed = await stack.alpha.gql<ReferencesData>(PROJECT_REFERENCES, { id: projectId });
    expect(listed.data!.project.references.map((r) => r.id)).toEqual([twin]);
    const gone = await stack.alpha.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, {
      id: assessed,
    });
    expect(gone.data!.node).toBeNull();
    const again = await stack.alpha.gql(REMOVE_REFERENCE, { input: { id: assessed } });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // The twin still shows its image: the shared bytes were not deleted with the removed reference.
    const twinImage = await fetch(listed.data!.project.references[0]!.imageUrl);
    expect(twinImage.status).toBe(200);
    const served = await sharp(Buffer.from(await twinImage.arrayBuffer())).metadata();
    expect(served.width).toBe(48);

    // The finished run reads as before, and its image (the assessed reference) is still served.
    const run = await stack.alpha.gql<RunData>(RUN, { id: runId });
    expect(run.errors).toBeUndefined();
    expect(run.data!.run).toMatchObject({ id: runId, kind: 'UNDERSTAND', status: 'SUCCEEDED', error: null });
    const image = await fetch(run.data!.run.imageUrl!);
    expect(image.status).toBe(200);
  });

  it('needs a key that may write', async () => {
    const { projectId, regionId } = await projectWithRegion(stack.alpha.gql);
    const referenceId = await uploadReference(stack, projectId, await smallPhoto(32), regionId);
    // Bound to the region by the id Region.id has, so a client can match the two.
    const bound = await stack.alpha.gql<{ node: { regionId: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Reference { regionId } } }`,
      { id: referenceId },
    );
    expect(bound.data!.node.regionId).toBe(regionId);
    const readOnly = await stack.platform.identity.createApiKey(stack.alpha.organizationId, 'viewer', {
      scopes: ['read'],
    });
    const refused = await httpClient(stack.api.url, readOnly.key)(REMOVE_REFERENCE, {
      input: { id: referenceId },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listed = await stack.alpha.gql<ReferencesData>(PROJECT_REFERENCES, { id: projectId });
    expect(listed.data!.project.references.map((r) => r.id)).toEqual([referenceId]);
  });

  it('refuses ids of other types and unknown references', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const wrongType = await stack.alpha.gql(REMOVE_REFERENCE, { input: { id: projectId } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknown = Buffer.from('Reference:00000000-0000-4000-8000-000000000000').toString('base64');
    const missing = await stack.alpha.gql(REMOVE_REFERENCE, { input: { id: unknown } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
